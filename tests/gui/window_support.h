// Driving the studio window from the GUI tests: the safety limit for
// background jobs, opening a model and waiting for it, closing error boxes.
#pragma once

#include "main_window.h"
#include "studio_document.h"

#include <QMessageBox>
#include <QSignalSpy>
#include <QString>

namespace precis::test {

constexpr int kWaitMs = 120000;  // safety limit for a background job, not a timing assertion

// Opens `path` in the window and waits until the document reports the model.
inline bool openAndWait(app::MainWindow& w, const QString& path)
{
    QSignalSpy changed(w.document(), &app::StudioDocument::modelChanged);
    w.openModel(path);
    return changed.wait(kWaitMs) || changed.count() > 0;
}

// Closes the (non-blocking) error boxes the window opened.
inline void closeErrorBoxes(QWidget* w)
{
    for (QMessageBox* box : w->findChildren<QMessageBox*>()) box->close();
}

} // namespace precis::test
