#include "sensitivity/report_store.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>

namespace precis::sensitivity {

namespace {

constexpr const char* kMetaKey = "report";

precis::UnitKind toStore(UnitKind k)
{
    switch (k) {
    case UnitKind::Tensor: return precis::UnitKind::Tensor;
    case UnitKind::Head: return precis::UnitKind::Head;
    case UnitKind::Layer: return precis::UnitKind::Layer;
    }
    return precis::UnitKind::Tensor;
}

UnitKind fromStore(precis::UnitKind k)
{
    switch (k) {
    case precis::UnitKind::Tensor: return UnitKind::Tensor;
    case precis::UnitKind::Head: return UnitKind::Head;
    case precis::UnitKind::Layer: return UnitKind::Layer;
    }
    return UnitKind::Tensor;
}

std::vector<std::byte> bytesOf(const std::string& s)
{
    std::vector<std::byte> b(s.size());
    std::memcpy(b.data(), s.data(), s.size());
    return b;
}

std::vector<std::byte> floatBlob(const std::vector<double>& v, double scale)
{
    std::vector<std::byte> b(v.size() * sizeof(float));
    for (size_t i = 0; i < v.size(); ++i) {
        const float f = float(v[i] * scale);
        std::memcpy(b.data() + i * sizeof(float), &f, sizeof f);
    }
    return b;
}

} // namespace

Result<void> saveReport(SessionStore& store, int64_t runId, const SensitivityReport& report,
                        const CalibrationStats* stats)
{
    std::vector<SensitivityRow> rows;
    rows.reserve(report.values.size());
    for (const UnitValue& v : report.values)
        if (std::isfinite(v.value)) rows.push_back({v.unit, toStore(v.kind), v.metric, v.option, v.value});
    std::vector<precis::ChunkMap> maps;
    maps.reserve(report.chunks.size());
    for (const ChunkMap& m : report.chunks) maps.push_back({m.tensor, m.metric, m.rows, m.cols, m.values});

    nlohmann::json meta;
    meta["complete"] = report.complete;
    meta["stage"] = report.stage;
    meta["tokens"] = report.tokens;
    meta["baseline_loss"] = report.baselineLoss;
    meta["reference_option"] = report.referenceOption;
    nlohmann::json corr = nlohmann::json::array();
    for (const Correlation& c : report.correlations)
        corr.push_back({{"proxy", c.proxy},
                        {"measured", c.measured},
                        {"kind", unitKindName(c.kind)},
                        {"units", c.units},
                        {"spearman", std::isfinite(c.spearman) ? nlohmann::json(c.spearman) : nlohmann::json()}});
    meta["correlations"] = corr;
    std::vector<RunBlob> blobs;
    blobs.push_back({kMetaKey, bytesOf(meta.dump())});
    if (stats && stats->tokens > 0) {
        const double perToken = 1.0 / double(stats->tokens);
        for (const auto& [name, L] : stats->linear) {
            std::vector<double> diag(size_t(L.cols));
            for (int64_t c = 0; c < L.cols; ++c) diag[size_t(c)] = L.fullGram ? (*L.gram)[size_t(c * L.cols + c)] : (*L.gram)[size_t(c)];
            L.gram->release();
            blobs.push_back({"importance:" + name, floatBlob(diag, perToken)});
            blobs.push_back({"abs_input:" + name, floatBlob(L.absInput, perToken)});
        }
    }
    return store.writeStep(runId, rows, maps, blobs);
}

Result<std::optional<SensitivityReport>> loadReportSummary(SessionStore& store, int64_t runId)
{
    PRECIS_TRY_ASSIGN(auto meta, store.readBlob(runId, kMetaKey));
    if (!meta) return std::optional<SensitivityReport>();
    SensitivityReport r;
    const std::string text(reinterpret_cast<const char*>(meta->data()), meta->size());
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return makeError(ErrorCode::Format, store.path() + ": run " + std::to_string(runId),
                         "the stored report summary is not valid JSON");
    r.complete = j.value("complete", false);
    r.stage = j.value("stage", "");
    r.tokens = j.value("tokens", int64_t(0));
    r.baselineLoss = j.value("baseline_loss", 0.0);
    r.referenceOption = j.value("reference_option", "");
    for (const auto& c : j.value("correlations", nlohmann::json::array())) {
        Correlation x;
        x.proxy = c.value("proxy", "");
        x.measured = c.value("measured", "");
        const std::string kind = c.value("kind", "tensor");
        x.kind = kind == "head" ? UnitKind::Head : kind == "layer" ? UnitKind::Layer : UnitKind::Tensor;
        x.units = c.value("units", 0);
        x.spearman = c.contains("spearman") && c["spearman"].is_number() ? c["spearman"].get<double>()
                                                                          : std::nan("");
        r.correlations.push_back(x);
    }
    return std::optional<SensitivityReport>(std::move(r));
}

Result<SensitivityReport> loadReport(SessionStore& store, int64_t runId, bool chunkMaps)
{
    PRECIS_TRY_ASSIGN(auto summary, loadReportSummary(store, runId));
    SensitivityReport r = summary ? std::move(*summary) : SensitivityReport{};
    PRECIS_TRY_ASSIGN(auto rows, store.readSensitivity(runId));
    r.values.reserve(rows.size());
    for (const SensitivityRow& s : rows) r.values.push_back({s.unit, fromStore(s.kind), s.metric, s.option, s.value});
    if (!chunkMaps) return r;
    PRECIS_TRY_ASSIGN(auto maps, store.listChunkMaps(runId));
    for (const ChunkMapInfo& info : maps) {
        PRECIS_TRY_ASSIGN(auto m, store.readChunkMap(runId, info.tensor, info.metric));
        if (m) r.chunks.push_back({m->tensor, m->metric, int(m->rows), int(m->cols), std::move(m->data)});
    }
    return r;
}

Result<std::vector<float>> loadImportance(SessionStore& store, int64_t runId, const std::string& tensor)
{
    PRECIS_TRY_ASSIGN(auto blob, store.readBlob(runId, "importance:" + tensor));
    std::vector<float> v;
    if (!blob) return v;
    v.resize(blob->size() / sizeof(float));
    std::memcpy(v.data(), blob->data(), v.size() * sizeof(float));
    return v;
}

} // namespace precis::sensitivity
