// Child process of tst_session's crash test: writes calibration steps into a
// session store as fast as it can until it is killed.
//
//   session_crash_writer DB ROWS_PER_STEP
//
// Step s (continuing after the steps already in the store) writes in one
// writeStep: ROWS_PER_STEP sensitivity rows "s<s>.u<i>" with value s*100000+i,
// a 32×32 chunk map "s<s>" whose values are s + j/1024, and a 1 KiB blob "s<s>"
// filled with the byte s % 251. After each commit it writes "<s>\n" to stdout
// with one write(2), so the parent knows which steps were acknowledged.
#include "session/session_store.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

using namespace precis;

static int fail(const Error& e)
{
    std::fprintf(stderr, "session_crash_writer: %s\n", e.toString().c_str());
    return 1;
}

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: session_crash_writer DB ROWS_PER_STEP\n");
        return 2;
    }
    const int rowsPerStep = std::atoi(argv[2]);
    auto store = SessionStore::open(argv[1]);
    if (!store)
        return fail(store.error());

    auto existing = store->sessionByName("crash");
    if (!existing)
        return fail(existing.error());
    int64_t sessionId = 0;
    if (*existing) {
        sessionId = (*existing)->id;
    } else {
        auto model = store->addModel("/models/crash.gguf", std::string(64, 'c'), "llama", 1000, 4096);
        if (!model)
            return fail(model.error());
        auto created = store->createSession("crash", *model);
        if (!created)
            return fail(created.error());
        sessionId = *created;
    }
    auto latest = store->latestRun(sessionId);
    if (!latest)
        return fail(latest.error());
    int64_t runId = 0;
    if (*latest) {
        runId = (*latest)->id;
    } else {
        auto begun = store->beginRun(sessionId, "{\"sequences\": 32}");
        if (!begun)
            return fail(begun.error());
        runId = *begun;
    }
    auto maps = store->listChunkMaps(runId);
    if (!maps)
        return fail(maps.error());

    for (int64_t s = int64_t(maps->size());; ++s) {
        std::vector<SensitivityRow> rows(static_cast<size_t>(rowsPerStep));
        for (int i = 0; i < rowsPerStep; ++i)
            rows[size_t(i)] = {"s" + std::to_string(s) + ".u" + std::to_string(i), UnitKind::Tensor, "m", "",
                               double(s * 100000 + i)};
        ChunkMap map{"s" + std::to_string(s), "m", 32, 32, std::vector<float>(32 * 32)};
        for (size_t j = 0; j < map.data.size(); ++j)
            map.data[j] = float(s) + float(j) / 1024.0f;
        RunBlob blob{"s" + std::to_string(s), std::vector<std::byte>(1024, std::byte(s % 251))};
        auto written = store->writeStep(runId, rows, {&map, 1}, {&blob, 1});
        if (!written)
            return fail(written.error());
        const std::string ack = std::to_string(s) + "\n";
        if (::write(1, ack.data(), ack.size()) != ssize_t(ack.size()))
            return 1;
    }
}
