#include "session/session_calibration.h"

#include "common/mapped_file.h"
#include "sensitivity/report_store.h"
#include "session/record_json.h"

#include <chrono>
#include <filesystem>

namespace precis {

using session_detail::JsonObject;

Result<SessionInfo> sessionForModel(SessionStore& store, const Model& model, int64_t sessionId,
                                    const std::string& name, const CancelToken* cancel)
{
    if (sessionId != 0) return store.session(sessionId);
    PRECIS_TRY_ASSIGN(const int64_t modelId,
                      store.addModelFile(model.path, model.config.archName, model.parameterCount(), cancel));
    if (name.empty()) {
        const std::string base = std::filesystem::path(model.path).stem().string();
        PRECIS_TRY_ASSIGN(const int64_t id, store.createSessionUnique(base.empty() ? "model" : base, modelId));
        return store.session(id);
    }
    PRECIS_TRY_ASSIGN(const auto existing, store.sessionByName(name));
    if (existing) {
        if (existing->model.id != modelId)
            return makeError(ErrorCode::InvalidArgument, store.path(),
                             "session '" + name + "' belongs to another model (" + existing->model.path +
                                 "); choose another session name");
        return *existing;
    }
    PRECIS_TRY_ASSIGN(const int64_t id, store.createSession(name, modelId));
    return store.session(id);
}

std::string calibrationSettingsJson(const CalibrationRunSettings& r, const std::string& source)
{
    const sensitivity::CalibrationSettings& s = r.settings;
    const nlohmann::ordered_json j = {{"source", source},
                                      {"text", r.textPath},
                                      {"sequences", r.sequences},
                                      {"length", r.length},
                                      {"seed", r.seed},
                                      {"batch_sequences", s.batchSequences},
                                      {"full_gram_limit", s.fullGramLimit},
                                      {"damage_sketch", s.damageSketch},
                                      {"damage_rows", s.damageRows},
                                      {"measure_units", s.measureUnits},
                                      {"options", s.options},
                                      {"probe_options", s.probeOptions},
                                      {"measure", s.measure},
                                      {"head_ablation", s.headAblation},
                                      {"measure_sequences", s.measureSequences}};
    return j.dump();
}

Result<CalibrationRunSettings> parseCalibrationSettings(const CalibrationRun& run)
{
    PRECIS_TRY_ASSIGN(const JsonObject o,
                      JsonObject::parse(run.settingsJson, "calibration run " + std::to_string(run.id), "settings."));
    CalibrationRunSettings r;
    sensitivity::CalibrationSettings& s = r.settings;
    // Runs recorded before "text" existed named the file in "source" (or "self-generated (seed S)").
    PRECIS_TRY_ASSIGN(const std::string source, o.string("source", std::string()));
    const bool selfGenerated = source.rfind("self-generated", 0) == 0;
    PRECIS_TRY_ASSIGN(r.textPath, o.string("text", selfGenerated ? std::string() : source));
    PRECIS_TRY_ASSIGN(const int64_t n, o.integer("sequences"));
    PRECIS_TRY_ASSIGN(const int64_t t, o.integer("length"));
    PRECIS_TRY_ASSIGN(const int64_t seed, o.integer("seed", 1));
    r.sequences = int(n);
    r.length = int(t);
    r.seed = uint64_t(seed);
    PRECIS_TRY_ASSIGN(const int64_t batch, o.integer("batch_sequences", s.batchSequences));
    PRECIS_TRY_ASSIGN(const int64_t gram, o.integer("full_gram_limit", s.fullGramLimit));
    PRECIS_TRY_ASSIGN(const int64_t measureSequences, o.integer("measure_sequences", s.measureSequences));
    // Runs recorded before these settings existed computed every form exactly …
    PRECIS_TRY_ASSIGN(const int64_t sketch, o.integer("damage_sketch", 0));
    s.damageSketch = int(sketch);
    // … from every row …
    PRECIS_TRY_ASSIGN(const int64_t damageRows, o.integer("damage_rows", 0));
    s.damageRows = int(damageRows);
    // … and measured every unit.
    PRECIS_TRY_ASSIGN(const int64_t measureUnits, o.integer("measure_units", 0));
    s.measureUnits = int(measureUnits);
    s.batchSequences = int(batch);
    s.fullGramLimit = int(gram);
    s.measureSequences = int(measureSequences);
    PRECIS_TRY_ASSIGN(s.measure, o.boolean("measure", s.measure));
    PRECIS_TRY_ASSIGN(s.headAblation, o.boolean("head_ablation", s.headAblation));
    for (auto [key, list] : {std::pair{"options", &s.options}, std::pair{"probe_options", &s.probeOptions}}) {
        if (!o.has(key)) continue;
        const auto& a = o.json()[key];
        if (!a.is_array()) return o.error(key, "a list of option names");
        list->clear();
        for (const auto& v : a) {
            if (!v.is_string()) return o.error(key, "a list of option names");
            list->push_back(v.get<std::string>());
        }
    }
    return r;
}

Result<sensitivity::CalibrationSet> calibrationSet(const CalibrationRunSettings& s, const Model& model,
                                                   const Tokenizer& tokenizer, const Engine* engine,
                                                   Progress* progress, const CancelToken* cancel)
{
    if (s.textPath.empty()) {
        if (!engine)
            return makeError(ErrorCode::Internal, "calibration", "self-generated text needs the model's engine");
        return sensitivity::calibrationSelfGenerated(*engine, tokenizer, s.sequences, s.length, s.seed, progress,
                                                     cancel);
    }
    if (progress) progress->report(0.0, "Reading " + s.textPath);
    PRECIS_TRY_ASSIGN(const std::string text, readTextFile(s.textPath));
    return sensitivity::calibrationFromText(text, s.textPath, tokenizer, model.config, s.sequences, s.length, s.seed);
}

Result<sensitivity::CalibrationOutput> calibrateInSession(SessionStore& store, int64_t sessionId,
                                                          const Parameters& params,
                                                          const sensitivity::CalibrationSet& set,
                                                          const CalibrationRunSettings& settings, Progress* progress,
                                                          const CancelToken* cancel,
                                                          const sensitivity::PartialReport& onPartial,
                                                          StoredRun* stored)
{
    PRECIS_TRY_ASSIGN(const SessionInfo session, store.session(sessionId));
    CalibrationRunSettings recorded = settings;
    recorded.sequences = set.sequences;  // T may have been capped at the context
    recorded.length = set.length;
    PRECIS_TRY_ASSIGN(const int64_t runId, store.beginRun(sessionId, calibrationSettingsJson(recorded, set.source)));
    if (stored) *stored = {sessionId, session.name, runId};

    const auto t0 = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    // The run gets its own token, so that a failed save can stop it; the
    // caller's cancellation is passed on at every progress report.
    CancelToken stop;
    Progress relay([&](double f, const std::string& stage) {
        if (cancel && cancel->cancelled()) stop.cancel();
        if (progress) progress->report(f, stage);
    });
    std::optional<Error> saveError;
    auto out = sensitivity::runCalibration(params, set, settings.settings, &relay, &stop,
                                           [&](const sensitivity::SensitivityReport& r) {
                                               if (cancel && cancel->cancelled()) stop.cancel();
                                               if (!saveError) {
                                                   auto saved = sensitivity::saveReport(store, runId, r);
                                                   if (!saved.ok()) saveError = saved.error(), stop.cancel();
                                               }
                                               if (onPartial) onPartial(r);
                                           });
    if (saveError) {
        (void)store.finishRun(runId, RunStatus::Failed, 0, seconds());
        return *saveError;
    }
    if (!out.ok()) {
        const bool cancelled = out.error().code == ErrorCode::Cancelled;
        (void)store.finishRun(runId, cancelled ? RunStatus::Cancelled : RunStatus::Failed, 0, seconds());
        return out.error();
    }
    if (auto saved = sensitivity::saveReport(store, runId, out->report, &out->stats); !saved.ok()) {
        (void)store.finishRun(runId, RunStatus::Failed, 0, seconds());
        return saved.error();
    }
    PRECIS_TRY(store.finishRun(runId, RunStatus::Done, out->report.tokens, seconds()));
    return out;
}

} // namespace precis
