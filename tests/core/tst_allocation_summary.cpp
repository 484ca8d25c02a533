// The per-layer breakdown of an allocation (the studio's bit chart): bar and
// stack order, where head units' bytes go (Llama with and without their own
// K/V heads, GPT-2's fused qkv), whole-layer units, and on random tables that
// the cells add up to the allocation's bytes less the fixed bytes.
#include "allocation/allocation_summary.h"
#include "allocation/solver.h"
#include "test_support.h"

#include <cmath>
#include <random>

using namespace precis;

namespace {

// Two options: "A" (bytes, damage 0) and "B" (bytes / 4, damage 1).
Unit unit(const std::string& name, const std::string& tensor, int layer, const std::string& kind, int64_t bytes)
{
    return Unit{name, tensor, layer, kind, bytes / 2, {{"A", bytes, 0.0}, {"B", bytes / 4, 1.0}}, -1};
}

double cell(const LayerBreakdown& b, const std::vector<double>& cells, const std::string& group, const std::string& kind)
{
    size_t g = 0, k = 0;
    while (g < b.groupCount() && b.groups()[g] != group) ++g;
    while (k < b.kindCount() && b.kinds()[k] != kind) ++k;
    if (g == b.groupCount() || k == b.kindCount()) return -1;  // no such bar or segment
    return cells[g * b.kindCount() + k];
}

} // namespace

class TestAllocationSummary : public QObject {
    Q_OBJECT

private slots:
    void tensorUnitsByLayerAndKind()
    {
        OptionTable t;
        t.fixedBytes = 100;
        t.fixedWeights = 25;
        // Layers out of order and past 9, so that a name sort would misplace "10".
        for (int layer : {10, 2}) {
            int64_t bytes = 1000;
            for (const char* kind : {"down", "q", "k", "v", "o", "gate", "up"}) {
                const std::string tensor = "blk." + std::to_string(layer) + "." + kind;
                t.units.push_back(unit(tensor, tensor, layer, kind, bytes));
                bytes += 400;
            }
        }
        t.units.push_back(unit("output.weight", "output.weight", -1, "output", 8000));
        t.units.push_back(unit("pos.weight", "pos.weight", -1, "pos", 40));
        t.units.push_back(unit("token_embd.weight", "token_embd.weight", -1, "embd", 4000));

        const LayerBreakdown b(t);
        QCOMPARE(b.groups(), (std::vector<std::string>{"embd", "2", "10", "output", "pos"}));
        QCOMPARE(b.groupLayers(), (std::vector<int>{-1, 2, 10, -1, -1}));
        QCOMPARE(b.kinds(),
                 (std::vector<std::string>{"q", "k", "v", "o", "gate", "up", "down", "embd", "output", "pos"}));
        // Σ weights of the 7 tensors of a layer: (1000 + 1400 + … + 3400) / 2.
        QCOMPARE(b.groupWeights()[1], int64_t(15400 / 2));
        QCOMPARE(b.groupWeights()[0], int64_t(2000));

        std::vector<int> choice(t.units.size(), 0);
        choice[1] = 1;  // blk.10.q at B
        std::vector<double> cells;
        b.cellBytes(t, choice, cells);
        QCOMPARE(cells.size(), b.groupCount() * b.kindCount());
        QCOMPARE(cell(b, cells, "10", "q"), 1400.0 / 4);
        QCOMPARE(cell(b, cells, "10", "down"), 1000.0);
        QCOMPARE(cell(b, cells, "2", "q"), 1400.0);
        QCOMPARE(cell(b, cells, "2", "output"), 0.0);
        QCOMPARE(cell(b, cells, "output", "output"), 8000.0);
        QCOMPARE(cell(b, cells, "embd", "embd"), 4000.0);
        QCOMPARE(cell(b, cells, "pos", "pos"), 40.0);

        std::vector<double> most;
        b.maxCellBytes(t, most);
        QCOMPARE(cell(b, most, "10", "q"), 1400.0);
    }

    void headUnitsSplitOverTheTensorsTheySlice()
    {
        OptionTable t;
        // Layer 0: heads own their K/V (no k/v tensor units) → q k v o a quarter each.
        // Layer 1: grouped-query attention, k and v stay tensors → q and o half each.
        for (int h = 0; h < 2; ++h) {
            t.units.push_back(unit("blk.0.head." + std::to_string(h), "blk.0.attn_q.weight", 0, "head", 800));
            t.units.push_back(unit("blk.1.head." + std::to_string(h), "blk.1.attn_q.weight", 1, "head", 800));
        }
        t.units.push_back(unit("blk.1.attn_k.weight", "blk.1.attn_k.weight", 1, "k", 200));
        t.units.push_back(unit("blk.1.attn_v.weight", "blk.1.attn_v.weight", 1, "v", 200));
        // Layer 2: GPT-2, fused qkv → 3:1.
        t.units.push_back(unit("blk.2.head.0", "blk.2.attn_qkv.weight", 2, "head", 800));

        const LayerBreakdown b(t);
        QCOMPARE(b.groups(), (std::vector<std::string>{"0", "1", "2"}));
        QCOMPARE(b.kinds(), (std::vector<std::string>{"q", "k", "v", "qkv", "o"}));
        std::vector<double> cells;
        b.cellBytes(t, std::vector<int>(t.units.size(), 0), cells);
        for (const char* k : {"q", "k", "v", "o"}) QCOMPARE(cell(b, cells, "0", k), 2 * 800.0 / 4);
        QCOMPARE(cell(b, cells, "0", "qkv"), 0.0);
        QCOMPARE(cell(b, cells, "1", "q"), 2 * 800.0 / 2);
        QCOMPARE(cell(b, cells, "1", "o"), 2 * 800.0 / 2);
        QCOMPARE(cell(b, cells, "1", "k"), 200.0);
        QCOMPARE(cell(b, cells, "2", "qkv"), 600.0);
        QCOMPARE(cell(b, cells, "2", "o"), 200.0);
        QCOMPARE(cell(b, cells, "2", "q"), 0.0);
        // A head's shares add up to 1.
        double f = 0;
        for (const auto* s = b.sharesBegin(0); s != b.sharesEnd(0); ++s) f += s->fraction;
        QCOMPARE(f, 1.0);
    }

    void layerUnitsAreOneSegment()
    {
        OptionTable t;
        t.units.push_back(unit("token_embd.weight", "token_embd.weight", -1, "embd", 400));
        t.units.push_back(unit("blk.0", "blk.0.attn_q.weight", 0, "layer", 4000));
        t.units.push_back(unit("blk.1", "blk.1.attn_q.weight", 1, "layer", 4000));
        const LayerBreakdown b(t);
        QCOMPARE(b.kinds(), (std::vector<std::string>{"layer", "embd"}));
        std::vector<double> cells;
        b.cellBytes(t, {0, 1, 0}, cells);
        QCOMPARE(cell(b, cells, "0", "layer"), 1000.0);
        QCOMPARE(cell(b, cells, "1", "layer"), 4000.0);
    }

    void cellsAddUpToTheAllocation()
    {
        std::mt19937_64 rng(7);
        for (int round = 0; round < 20; ++round) {
            OptionTable t;
            t.fixedBytes = 64;
            t.fixedWeights = 32;
            const int layers = 1 + int(rng() % 6);
            const char* kinds[] = {"q", "k", "v", "o", "gate", "up", "down", "head"};
            for (int l = 0; l < layers; ++l)
                for (const char* k : kinds) {
                    if (rng() % 3 == 0) continue;
                    for (int rep = 0; rep < (k == std::string("head") ? 4 : 1); ++rep) {
                        Unit u{"blk." + std::to_string(l) + "." + k + std::to_string(rep), "blk.t", l, k, 64, {}, -1};
                        for (int o = 0; o < 4; ++o)
                            u.options.push_back({"s" + std::to_string(o), int64_t(1 + rng() % 5000), double(rng() % 100) / 7});
                        t.units.push_back(std::move(u));
                    }
                }
            t.units.push_back(Unit{"token_embd.weight", "token_embd.weight", -1, "embd", 64, {{"F16", 128, 0.0}, {"Q8_0", 68, 0.5}}, -1});
            auto frontier = buildFrontier(t);
            QVERIFY(frontier.ok());
            const LayerBreakdown b(t);
            std::vector<double> cells, most;
            b.maxCellBytes(t, most);
            for (size_t i = 0; i < frontier->points().size(); i += 7) {
                const Allocation a = frontier->at(i);
                b.cellBytes(t, a.choice, cells);
                double sum = 0;
                for (size_t c = 0; c < cells.size(); ++c) {
                    sum += cells[c];
                    QVERIFY(cells[c] <= most[c] * (1 + 1e-12));
                }
                QVERIFY2(std::abs(sum - double(a.bytes - t.fixedBytes)) < 1e-6 * double(a.bytes),
                         qPrintable(QStringLiteral("round %1 point %2: %3 vs %4").arg(round).arg(i).arg(sum).arg(a.bytes)));
            }
            int64_t weights = 0;
            for (int64_t w : b.groupWeights()) weights += w;
            QCOMPARE(weights + t.fixedWeights, totalWeights(t));
        }
    }
};

QTEST_GUILESS_MAIN(TestAllocationSummary)
#include "tst_allocation_summary.moc"
