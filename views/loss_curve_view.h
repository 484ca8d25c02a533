// Training curves of a micro-model run: the loss of every training step (one
// batch each, so noisy) and the validation loss at the steps that evaluated,
// in nats per token over the optimizer step.
//
// Points arrive live, one step at a time: appending is O(1) and never redraws
// by itself; a single-shot timer merges the bursts into one queued replot at
// most every kReplotIntervalMs. Steps must arrive in increasing order per
// curve. The view only displays; the caller owns the training run.
#pragma once

#include <QWidget>

#include <cstdint>

class QCheckBox;
class QCPGraph;
class QCustomPlot;
class QTimer;

namespace precis::views {

class LossCurveView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kReplotIntervalMs = 100;

    explicit LossCurveView(QWidget* parent = nullptr);
    ~LossCurveView() override;

    // loss in nats/token at optimizer step `step` (1-based).
    void appendTrainLoss(int64_t step, double loss);
    void appendValidationLoss(int64_t step, double loss);
    // Removes every point; the x range goes back to plannedSteps (or automatic).
    void clear();

    // Fixes the x axis at [0, steps] so the curve grows into a steady frame;
    // 0 lets the axis follow the data.
    void setPlannedSteps(int64_t steps);
    int64_t plannedSteps() const { return m_plannedSteps; }

    // Logarithmic loss axis (losses are positive; non-positive points are not drawn there).
    void setLogScale(bool on);
    bool logScale() const;

    int trainPointCount() const;
    int validationPointCount() const;
    // Redraws now (instead of at the next timer tick), e.g. before grabbing the widget.
    void replotNow();

    QCustomPlot* plot() const { return m_plot; }
    QCPGraph* trainGraph() const { return m_train; }
    QCPGraph* validationGraph() const { return m_validation; }
    QCheckBox* logScaleBox() const { return m_logBox; }

private:
    void scheduleReplot();
    void rescaleAndReplot();

    QCustomPlot* m_plot = nullptr;
    QCPGraph* m_train = nullptr;
    QCPGraph* m_validation = nullptr;
    QCheckBox* m_logBox = nullptr;
    QTimer* m_replotTimer = nullptr;
    int64_t m_plannedSteps = 0;
};

} // namespace precis::views
