#include "quant/scheme.h"

#include "quant/block_formats.h"
#include "quant/rtn.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

namespace precis::quant {

namespace {

struct GgufRow {
    DType type;
    int bits;
    bool asymmetric;
};

// The GGUF block types offered as schemes (Q8_1 and Q8_K are activation formats).
constexpr GgufRow kGgufRows[] = {
    {DType::Q8_0, 8, false}, {DType::Q6_K, 6, false}, {DType::Q5_K, 5, true}, {DType::Q5_1, 5, true},
    {DType::Q5_0, 5, false}, {DType::Q4_K, 4, true},  {DType::Q4_1, 4, true}, {DType::Q4_0, 4, false},
    {DType::Q3_K, 3, false}, {DType::Q2_K, 2, true},
};

const GgufRow* ggufRow(DType t)
{
    for (const auto& r : kGgufRows)
        if (r.type == t)
            return &r;
    return nullptr;
}

bool isFloatType(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16; }

RtnParams rtnParams(const Scheme& s) { return RtnParams{s.bits, s.group, s.asymmetric}; }

std::string upper(std::string_view s)
{
    std::string u(s);
    for (char& c : u) c = char(std::toupper(static_cast<unsigned char>(c)));
    return u;
}

// "RTN<b>G<g>[A]" (already upper-cased) → scheme, or nothing.
std::optional<Scheme> parseRtn(const std::string& u)
{
    if (u.size() < 6 || u.compare(0, 3, "RTN") != 0)
        return std::nullopt;
    size_t i = 3;
    auto number = [&](int& v) {
        const size_t start = i;
        v = 0;
        if (i < u.size() && u[i] == '0')
            return false;  // no leading zeros: the name must round-trip
        while (i < u.size() && std::isdigit(static_cast<unsigned char>(u[i])) && i - start < 4)
            v = v * 10 + (u[i++] - '0');
        return i > start;
    };
    int bits = 0, group = 0;
    if (!number(bits) || i >= u.size() || u[i++] != 'G' || !number(group))
        return std::nullopt;
    bool asym = false;
    if (i < u.size() && u[i] == 'A') {
        asym = true;
        ++i;
    }
    if (i != u.size() || !rtnValid(RtnParams{bits, group, asym}))
        return std::nullopt;
    return rtnScheme(bits, group, asym);
}

// Rows per parallel task: about 32 Ki values each.
constexpr int64_t kParallelValues = int64_t(1) << 16;

template <typename RowFn>
void forRows(int64_t rows, int64_t cols, RowFn&& fn)
{
    if (rows * cols < kParallelValues || rows < 2) {
        fn(int64_t(0), rows);
        return;
    }
    const int64_t grain = std::max<int64_t>(1, (int64_t(1) << 15) / std::max<int64_t>(cols, 1));
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, rows, size_t(grain)),
                      [&](const tbb::blocked_range<int64_t>& r) { fn(r.begin(), r.end()); });
}

// First non-finite value of a row, or −1.
int64_t firstNonFinite(const float* x, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        if (!std::isfinite(x[i]))
            return i;
    return -1;
}

std::string valueText(float v) { return std::isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf"); }

// Shared validation of encode() and roundTrip().
Result<void> checkInputs(const Scheme& s, const float* w, int64_t rows, int64_t cols, const float* importance,
                         const char* what)
{
    const std::string where = std::string(what) + " " + s.name();
    if (rows < 0)
        return makeError(ErrorCode::InvalidArgument, where, "row count " + std::to_string(rows) + " is negative");
    PRECIS_TRY(checkFeasible(s, cols));
    if (encodedBytes(s, rows, cols) < 0)
        return makeError(ErrorCode::InvalidArgument, where,
                         "matrix of " + std::to_string(rows) + " × " + std::to_string(cols) + " is too large");
    if (rows > 0 && !w)
        return makeError(ErrorCode::InvalidArgument, where, "no weights given");
    if (importance) {
        for (int64_t c = 0; c < cols; ++c)
            if (!std::isfinite(importance[c]) || importance[c] < 0)
                return makeError(ErrorCode::InvalidArgument, where,
                                 "importance of column " + std::to_string(c) + " is " +
                                     std::to_string(importance[c]) + "; expected a finite value ≥ 0");
    }
    return {};
}

// llama.cpp's weighted encoders treat a sub-block whose importance is all zero
// as "don't care" (make_qx_quants then returns scale 0 and the values decode to
// 0). Calibration can leave dead columns that still matter a little, so each
// aligned run of 16 zero weights gets the row's mean importance instead. Returns
// nullptr when no weights remain (all zero): then encoding is unweighted.
const float* guardImportance(const Scheme& s, const float* importance, int64_t cols, std::vector<float>& fixed)
{
    if (!importance || s.kind != SchemeKind::GgufBlock)
        return importance;
    double sum = 0;
    for (int64_t c = 0; c < cols; ++c) sum += importance[c];
    if (sum == 0)
        return nullptr;
    constexpr int64_t kRun = 16;
    for (int64_t c0 = 0; c0 < cols; c0 += kRun) {
        const int64_t c1 = std::min(cols, c0 + kRun);
        if (std::all_of(importance + c0, importance + c1, [](float v) { return v == 0; })) {
            if (fixed.empty())
                fixed.assign(importance, importance + cols);
            std::fill(fixed.begin() + c0, fixed.begin() + c1, float(sum / double(cols)));
        }
    }
    return fixed.empty() ? importance : fixed.data();
}

// One row through the scheme's encoder / decoder.
void encodeRow(const Scheme& s, const float* x, uint8_t* dst, int64_t cols, const float* importance)
{
    if (s.kind == SchemeKind::Rtn)
        rtnEncodeRow(rtnParams(s), x, dst, cols, importance);
    else
        quantizeRow(s.dtype, x, dst, cols, importance);
}

void decodeRow(const Scheme& s, const uint8_t* src, float* y, int64_t cols)
{
    if (s.kind == SchemeKind::Rtn)
        rtnDecodeRow(rtnParams(s), src, y, cols);
    else
        dequantizeRow(s.dtype, src, y, cols);
}

// Runs rowFn(r) over all rows in parallel, stopping a task at its first
// non-finite row; reports the smallest such row.
template <typename RowFn>
Result<void> runRows(const Scheme& s, const float* w, int64_t rows, int64_t cols, const char* what, RowFn&& rowFn)
{
    std::atomic<int64_t> badRow{std::numeric_limits<int64_t>::max()};
    forRows(rows, cols, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            if (firstNonFinite(w + r * cols, cols) >= 0) {
                int64_t cur = badRow.load();
                while (r < cur && !badRow.compare_exchange_weak(cur, r)) {
                }
                return;
            }
            rowFn(r);
        }
    });
    const int64_t r = badRow.load();
    if (r != std::numeric_limits<int64_t>::max()) {
        const int64_t c = firstNonFinite(w + r * cols, cols);
        return makeError(ErrorCode::InvalidArgument, std::string(what) + " " + s.name(),
                         "weight at row " + std::to_string(r) + ", column " + std::to_string(c) + " is " +
                             valueText(w[r * cols + c]) + "; weights must be finite");
    }
    return {};
}

} // namespace

std::string Scheme::name() const
{
    switch (kind) {
    case SchemeKind::Float:
    case SchemeKind::GgufBlock:
        return std::string(dtypeName(dtype));
    case SchemeKind::Rtn:
        return "RTN" + std::to_string(bits) + "g" + std::to_string(group) + (asymmetric ? "a" : "");
    }
    return "?";
}

int Scheme::blockBytes() const
{
    if (kind == SchemeKind::Rtn)
        return rtnGroupBytes(rtnParams(*this));
    return dtypeTraits(dtype).typeSize;
}

Scheme floatScheme(DType t)
{
    assert(isFloatType(t));
    if (!isFloatType(t))
        t = DType::F32;
    return Scheme{SchemeKind::Float, t, t == DType::F32 ? 32 : 16, 1, false};
}

Scheme ggufScheme(DType t)
{
    const GgufRow* row = ggufRow(t);
    assert(row);
    if (!row)
        return floatScheme(DType::F32);
    return Scheme{SchemeKind::GgufBlock, t, row->bits, dtypeTraits(t).blockSize, row->asymmetric};
}

Scheme rtnScheme(int bits, int group, bool asymmetric)
{
    assert(rtnValid(RtnParams{bits, group, asymmetric}));
    return Scheme{SchemeKind::Rtn, rtnDType({bits, group, asymmetric}), bits, group, asymmetric};
}

Result<Scheme> parseScheme(std::string_view name)
{
    const std::string u = upper(name);
    for (DType t : {DType::F32, DType::F16, DType::BF16})
        if (u == dtypeName(t))
            return floatScheme(t);
    for (const auto& r : kGgufRows)
        if (u == dtypeName(r.type))
            return ggufScheme(r.type);
    if (auto rtn = parseRtn(u))
        return *rtn;
    std::string valid;
    for (const Scheme& s : standardSchemes()) valid += (valid.empty() ? "" : ", ") + s.name();
    return makeError(ErrorCode::InvalidArgument, "quantization scheme",
                     "unknown scheme '" + std::string(name) + "'; valid: " + valid +
                         ", and RTN<b>g<g>[a] with b = 2..8 bits, g = 32, 64 or 128 values per group, "
                         "'a' for asymmetric (e.g. RTN4g128, RTN3g64a)");
}

const std::vector<Scheme>& standardSchemes()
{
    static const std::vector<Scheme> table = {
        floatScheme(DType::F16),  ggufScheme(DType::Q8_0), ggufScheme(DType::Q6_K), ggufScheme(DType::Q5_K),
        ggufScheme(DType::Q5_0),  ggufScheme(DType::Q4_K), ggufScheme(DType::Q4_0), ggufScheme(DType::Q3_K),
        ggufScheme(DType::Q2_K),  ggufScheme(DType::Q4_1), ggufScheme(DType::Q5_1), floatScheme(DType::BF16),
        floatScheme(DType::F32),
    };
    return table;
}

std::vector<Scheme> rtnSchemes(bool asymmetric)
{
    std::vector<Scheme> out;
    for (int b = 2; b <= 8; ++b)
        for (int g : {32, 64, 128}) out.push_back(rtnScheme(b, g, asymmetric));
    return out;
}

bool feasible(const Scheme& s, int64_t cols) { return cols >= 1 && cols % s.group == 0; }

Result<void> checkFeasible(const Scheme& s, int64_t cols)
{
    if (feasible(s, cols))
        return {};
    return makeError(ErrorCode::InvalidArgument, "quantization scheme " + s.name(),
                     s.name() + " needs rows whose length is a positive multiple of " + std::to_string(s.group) +
                         "; got a row of " + std::to_string(cols) + " values");
}

int64_t rowBytes(const Scheme& s, int64_t cols)
{
    if (!feasible(s, cols))
        return -1;
    const int64_t blocks = cols / s.group;
    if (blocks > std::numeric_limits<int64_t>::max() / s.blockBytes())
        return -1;
    return blocks * s.blockBytes();
}

int64_t encodedBytes(const Scheme& s, int64_t rows, int64_t cols)
{
    const int64_t rb = rowBytes(s, cols);
    if (rb < 0 || rows < 0 || (rows > 0 && rb > std::numeric_limits<int64_t>::max() / rows))
        return -1;
    return rows * rb;
}

double bitsPerWeight(const Scheme& s) { return 8.0 * s.blockBytes() / s.group; }

Result<void> encodeInto(const Scheme& s, const float* w, int64_t rows, int64_t cols, uint8_t* out, size_t bytes,
                        const float* importance)
{
    PRECIS_TRY(checkInputs(s, w, rows, cols, importance, "encode"));
    const int64_t total = encodedBytes(s, rows, cols);
    if (uint64_t(total) != bytes || (total > 0 && !out))
        return makeError(ErrorCode::InvalidArgument, "encode " + s.name(),
                         "output buffer holds " + std::to_string(bytes) + " bytes, expected " + std::to_string(total));
    std::vector<float> fixed;
    const float* imp = guardImportance(s, importance, cols, fixed);
    const int64_t rb = rowBytes(s, cols);
    return runRows(s, w, rows, cols, "encode", [&](int64_t r) { encodeRow(s, w + r * cols, out + r * rb, cols, imp); });
}

Result<std::vector<uint8_t>> encode(const Scheme& s, const float* w, int64_t rows, int64_t cols,
                                    const float* importance)
{
    PRECIS_TRY(checkInputs(s, w, rows, cols, importance, "encode"));
    std::vector<uint8_t> out(size_t(encodedBytes(s, rows, cols)));
    PRECIS_TRY(encodeInto(s, w, rows, cols, out.data(), out.size(), importance));
    return out;
}

Result<void> decode(const Scheme& s, const uint8_t* data, size_t bytes, int64_t rows, int64_t cols, float* out)
{
    const std::string where = "decode " + s.name();
    if (rows < 0)
        return makeError(ErrorCode::InvalidArgument, where, "row count " + std::to_string(rows) + " is negative");
    PRECIS_TRY(checkFeasible(s, cols));
    const int64_t total = encodedBytes(s, rows, cols);
    if (total < 0 || uint64_t(total) != bytes)
        return makeError(ErrorCode::InvalidArgument, where,
                         "got " + std::to_string(bytes) + " bytes, expected " + std::to_string(total) + " for " +
                             std::to_string(rows) + " × " + std::to_string(cols) + " values");
    if (total > 0 && (!data || !out))
        return makeError(ErrorCode::InvalidArgument, where, "no data or output buffer given");
    const int64_t rb = rowBytes(s, cols);
    forRows(rows, cols, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) decodeRow(s, data + r * rb, out + r * cols, cols);
    });
    return {};
}

Result<void> roundTrip(const Scheme& s, const float* w, int64_t rows, int64_t cols, float* out,
                       const float* importance)
{
    PRECIS_TRY(checkInputs(s, w, rows, cols, importance, "round trip"));
    if (rows > 0 && !out)
        return makeError(ErrorCode::InvalidArgument, "round trip " + s.name(), "no output buffer given");
    if (s.kind == SchemeKind::Float && s.dtype == DType::F32) {
        PRECIS_TRY(runRows(s, w, rows, cols, "round trip", [&](int64_t) {}));
        std::memcpy(out, w, size_t(rows * cols) * sizeof(float));
        return {};
    }
    std::vector<float> fixed;
    const float* imp = guardImportance(s, importance, cols, fixed);
    const int64_t rb = rowBytes(s, cols);
    // One row of scratch per thread, reused across that thread's rows.
    static thread_local std::vector<uint8_t> scratch;
    return runRows(s, w, rows, cols, "round trip", [&](int64_t r) {
        if (scratch.size() < size_t(rb))
            scratch.resize(size_t(rb));
        encodeRow(s, w + r * cols, scratch.data(), cols, imp);
        decodeRow(s, scratch.data(), out + r * cols, cols);
    });
}

} // namespace precis::quant
