#include "model/segmented.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

namespace precis {

namespace {

template <typename T>
T load(const std::byte* p)
{
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

template <typename T>
void store(std::vector<uint8_t>& out, size_t at, T v)
{
    std::memcpy(out.data() + at, &v, sizeof(T));
}

const char* axisName(SegmentAxis a) { return a == SegmentAxis::Rows ? "rows" : "columns"; }

// A segment's type may be any type with a fixed row size: a GGUF type or an RTN layout.
bool segmentTypeKnown(DType t) { return isRtn(t) || dtypeTraits(uint32_t(t)).has_value(); }

// The bytes of a segment's slice in its type, or nullopt (row length not a
// multiple of the block size, overflow).
std::optional<uint64_t> sliceBytes(DType t, int64_t rows, int64_t cols)
{
    const auto row = dtypeRowBytes(t, uint64_t(cols));
    if (!row || (rows > 0 && *row > UINT64_MAX / uint64_t(rows))) return std::nullopt;
    return *row * uint64_t(rows);
}

// Checks the segments of `layout` (already in order) against the tensor: contiguous,
// covering, typed, sized and packed as the header comment says.
Result<void> checkSegments(const SegmentedLayout& l, uint64_t totalBytes, const std::string& where)
{
    const int64_t extent = l.axis == SegmentAxis::Rows ? l.rows : l.cols;
    uint64_t offset = segmentedHeaderBytes(l.segments.size());
    int64_t next = 0;
    for (size_t i = 0; i < l.segments.size(); ++i) {
        const Segment& s = l.segments[i];
        const std::string seg = where + ": segment " + std::to_string(i) + " (" +
                                segmentText(l.axis, s.begin, s.end, std::string(dtypeName(s.dtype))) + ")";
        if (s.begin != next)
            return makeError(ErrorCode::InvalidArgument, seg,
                             s.begin < next ? "overlaps the segment before it, which ends at " + std::to_string(next)
                                            : std::string(axisName(l.axis)) + " [" + std::to_string(next) + ", " +
                                                  std::to_string(s.begin) + ") are in no segment");
        if (s.end <= s.begin || s.end > extent)
            return makeError(ErrorCode::InvalidArgument, seg,
                             "end " + std::to_string(s.end) + ", expected " + std::to_string(s.begin + 1) + ".." +
                                 std::to_string(extent));
        if (s.dtype == DType::Segmented || !segmentTypeKnown(s.dtype))
            return makeError(ErrorCode::InvalidArgument, seg,
                             "type id " + std::to_string(uint32_t(s.dtype)) + ", expected a GGUF type or an RTN layout");
        const auto bytes = sliceBytes(s.dtype, l.segmentRows(s), l.segmentCols(s));
        if (!bytes)
            return makeError(ErrorCode::InvalidArgument, seg,
                             "a row of " + std::to_string(l.segmentCols(s)) + " values is not a multiple of the " +
                                 std::string(dtypeName(s.dtype)) + " block size " +
                                 std::to_string(dtypeTraits(s.dtype).blockSize));
        if (s.nbytes != *bytes)
            return makeError(ErrorCode::InvalidArgument, seg,
                             "holds " + std::to_string(s.nbytes) + " bytes, expected " + std::to_string(*bytes) +
                                 " for " + std::to_string(l.segmentRows(s)) + " × " + std::to_string(l.segmentCols(s)) +
                                 " values");
        if (s.offset != offset)
            return makeError(ErrorCode::InvalidArgument, seg,
                             "at offset " + std::to_string(s.offset) + ", expected " + std::to_string(offset) +
                                 " (segments follow the header back to back)");
        if (s.nbytes > totalBytes - std::min(totalBytes, offset))
            return makeError(ErrorCode::InvalidArgument, seg,
                             "ends at byte " + std::to_string(offset) + " + " + std::to_string(s.nbytes) +
                                 ", beyond the tensor's " + std::to_string(totalBytes) + " bytes");
        offset += s.nbytes;
        next = s.end;
    }
    if (next != extent)
        return makeError(ErrorCode::InvalidArgument, where,
                         std::string(axisName(l.axis)) + " [" + std::to_string(next) + ", " + std::to_string(extent) +
                             ") are in no segment");
    if (offset != totalBytes)
        return makeError(ErrorCode::InvalidArgument, where,
                         "holds " + std::to_string(totalBytes) + " bytes, its header and segments " +
                             std::to_string(offset));
    return {};
}

} // namespace

std::string segmentText(SegmentAxis axis, int64_t begin, int64_t end, const std::string& type)
{
    return std::string(axisName(axis)) + " [" + std::to_string(begin) + ", " + std::to_string(end) + ") " + type;
}

Result<SegmentedLayout> readSegmentedLayout(const Tensor& t)
{
    const std::string where = "tensor '" + t.name + "' (segmented)";
    if (t.dtype != DType::Segmented)
        return makeError(ErrorCode::InvalidArgument, where, "is stored as " + std::string(dtypeName(t.dtype)));
    if (t.shape.size() < 2 || std::any_of(t.shape.begin(), t.shape.end(), [](int64_t d) { return d < 1; }))
        return makeError(ErrorCode::InvalidArgument, where,
                         "shape " + shapeString(t.shape) + ", expected a matrix with every dimension >= 1");
    if (t.nbytes < kSegmentedFixedBytes || !t.data)
        return makeError(ErrorCode::InvalidArgument, where,
                         "holds " + std::to_string(t.nbytes) + " bytes, less than the " +
                             std::to_string(kSegmentedFixedBytes) + "-byte header");
    const std::byte* p = t.data;
    if (const uint32_t magic = load<uint32_t>(p); magic != kSegmentedMagic)
        return makeError(ErrorCode::InvalidArgument, where,
                         "magic " + std::to_string(magic) + ", expected " + std::to_string(kSegmentedMagic) + " (\"PSEG\")");
    if (const uint16_t v = load<uint16_t>(p + 4); v != kSegmentedVersion)
        return makeError(ErrorCode::InvalidArgument, where,
                         "version " + std::to_string(v) + ", expected " + std::to_string(kSegmentedVersion));
    const uint16_t axis = load<uint16_t>(p + 6);
    if (axis > 1)
        return makeError(ErrorCode::InvalidArgument, where, "axis " + std::to_string(axis) + ", expected 0 (rows) or 1 (columns)");
    const uint32_t n = load<uint32_t>(p + 8);
    if (load<uint32_t>(p + 12) != 0)
        return makeError(ErrorCode::InvalidArgument, where, "reserved header field is not 0");
    SegmentedLayout l;
    l.axis = SegmentAxis(axis);
    const uint64_t rows = load<uint64_t>(p + 16), cols = load<uint64_t>(p + 24);
    if (rows != uint64_t(t.rows()) || cols != uint64_t(t.cols()))
        return makeError(ErrorCode::InvalidArgument, where,
                         "header says " + std::to_string(rows) + " × " + std::to_string(cols) + ", the tensor is " +
                             std::to_string(t.rows()) + " × " + std::to_string(t.cols()));
    l.rows = t.rows();
    l.cols = t.cols();
    const uint64_t extent = uint64_t(l.axis == SegmentAxis::Rows ? l.rows : l.cols);
    if (n < 1 || n > extent || segmentedHeaderBytes(n) > t.nbytes)
        return makeError(ErrorCode::InvalidArgument, where,
                         std::to_string(n) + " segments, expected 1.." + std::to_string(extent) + " whose " +
                             std::to_string(segmentedHeaderBytes(n)) + "-byte header fits in the tensor's " +
                             std::to_string(t.nbytes) + " bytes");
    l.segments.resize(n);
    for (uint32_t i = 0; i < n; ++i) {
        const std::byte* e = p + segmentedHeaderBytes(i);
        const uint64_t begin = load<uint64_t>(e), end = load<uint64_t>(e + 8);
        if (load<uint32_t>(e + 20) != 0)
            return makeError(ErrorCode::InvalidArgument, where + ": segment " + std::to_string(i),
                             "reserved field is not 0");
        if (begin > extent || end > extent)
            return makeError(ErrorCode::InvalidArgument, where + ": segment " + std::to_string(i),
                             std::string(axisName(l.axis)) + " [" + std::to_string(begin) + ", " + std::to_string(end) +
                                 ") lie outside the tensor's " + std::to_string(extent) + " " + axisName(l.axis));
        Segment& s = l.segments[i];
        s.begin = int64_t(begin);
        s.end = int64_t(end);
        s.dtype = DType(load<uint32_t>(e + 16));
        s.offset = load<uint64_t>(e + 24);
        s.nbytes = load<uint64_t>(e + 32);
    }
    PRECIS_TRY(checkSegments(l, t.nbytes, where));
    return l;
}

Result<Tensor> makeSegmentedTensor(std::string name, std::vector<int64_t> shape, SegmentAxis axis,
                                   std::vector<SegmentBytes> slices)
{
    std::sort(slices.begin(), slices.end(), [](const SegmentBytes& a, const SegmentBytes& b) { return a.begin < b.begin; });
    Tensor probe;
    probe.name = std::move(name);
    probe.shape = std::move(shape);
    const std::string where = "tensor '" + probe.name + "' (segmented)";
    if (probe.shape.size() < 2 || slices.empty())
        return makeError(ErrorCode::InvalidArgument, where,
                         "needs a matrix and at least one slice (shape " + shapeString(probe.shape) + ", " +
                             std::to_string(slices.size()) + " slices)");
    SegmentedLayout l;
    l.axis = axis;
    l.rows = probe.rows();
    l.cols = probe.cols();
    uint64_t offset = segmentedHeaderBytes(slices.size());
    for (const SegmentBytes& s : slices) {
        l.segments.push_back({s.begin, s.end, s.dtype, offset, s.bytes.size()});
        offset += s.bytes.size();
    }
    PRECIS_TRY(checkSegments(l, offset, where));

    auto buf = std::make_shared<std::vector<uint8_t>>(size_t(offset));
    std::vector<uint8_t>& out = *buf;
    store<uint32_t>(out, 0, kSegmentedMagic);
    store<uint16_t>(out, 4, kSegmentedVersion);
    store<uint16_t>(out, 6, uint16_t(axis));
    store<uint32_t>(out, 8, uint32_t(slices.size()));
    store<uint32_t>(out, 12, 0);
    store<uint64_t>(out, 16, uint64_t(l.rows));
    store<uint64_t>(out, 24, uint64_t(l.cols));
    for (size_t i = 0; i < slices.size(); ++i) {
        const Segment& s = l.segments[i];
        const size_t e = size_t(segmentedHeaderBytes(i));
        store<uint64_t>(out, e, uint64_t(s.begin));
        store<uint64_t>(out, e + 8, uint64_t(s.end));
        store<uint32_t>(out, e + 16, uint32_t(s.dtype));
        store<uint32_t>(out, e + 20, 0);
        store<uint64_t>(out, e + 24, s.offset);
        store<uint64_t>(out, e + 32, s.nbytes);
        if (s.nbytes) std::memcpy(out.data() + s.offset, slices[i].bytes.data(), size_t(s.nbytes));
    }
    Tensor t;
    t.name = std::move(probe.name);
    t.dtype = DType::Segmented;
    t.shape = std::move(probe.shape);
    t.data = reinterpret_cast<const std::byte*>(out.data());
    t.nbytes = out.size();
    t.owner = std::move(buf);
    return t;
}

std::string tensorTypeName(const Tensor& t)
{
    if (t.dtype != DType::Segmented) return std::string(dtypeName(t.dtype));
    const auto l = readSegmentedLayout(t);
    if (!l.ok()) return std::string(dtypeName(t.dtype));
    std::vector<DType> seen;
    std::string out = "SEG[";
    for (const Segment& s : l->segments) {
        if (std::find(seen.begin(), seen.end(), s.dtype) != seen.end()) continue;
        out += (seen.empty() ? "" : "+") + std::string(dtypeName(s.dtype));
        seen.push_back(s.dtype);
    }
    return out + "]";
}

} // namespace precis
