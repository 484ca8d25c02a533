// Segmented tensors: one weight matrix whose row blocks, or column blocks,
// are stored in different types (DType::Segmented, model/dtype.h). This is how
// a head-unit allocation (allocation/option_builder.h) is held for real: each
// attention head's rows of attn_q / attn_k / attn_v (GPT-2: its three row
// blocks of attn_qkv) and its columns of attn_output in the head's own type.
// Like the RTN types it is a Precis-native in-memory layout: its id lies
// outside ggml's range, no file is read as Segmented, the GGUF writer refuses
// it naming the tensor, and export converts it (eval/compress.h).
//
// Tensor bytes (little-endian, no padding; the header is read with memcpy, so
// the data may have any alignment):
//
//   offset  size  field
//   0       4     magic        u32 0x47455350 ("PSEG" in file order)
//   4       2     version      u16 1
//   6       2     axis         u16 0 = row blocks, 1 = column blocks
//   8       4     n_segments   u32 ≥ 1
//   12      4     reserved     u32 0
//   16      8     rows         u64 the tensor's rows (Tensor::rows())
//   24      8     cols         u64 the tensor's row length (Tensor::cols())
//   32      40·n  segments, in order, each:
//                 +0  u64 begin    first row (axis 0) or column (axis 1)
//                 +8  u64 end      one past the last; segment i+1 begins where i ends,
//                                  segment 0 at 0, the last ends at rows (or cols)
//                 +16 u32 dtype    the segment's type: a GGUF type (model/dtype.h ids)
//                                  or an RTN layout; never Segmented
//                 +20 u32 reserved 0
//                 +24 u64 offset   of the segment's bytes from the first byte of the
//                                  tensor (header included)
//                 +32 u64 nbytes   axis 0: (end − begin) · dtypeRowBytes(dtype, cols)
//                                  axis 1: rows · dtypeRowBytes(dtype, end − begin)
//   32+40·n       the segments' bytes back to back in segment order
//                 (segment 0 at offset 32 + 40·n, each next one right after).
//
// A segment's bytes are exactly what quant::encode writes for the slice taken
// as its own row-major matrix: axis 0, rows [begin, end) of the matrix (rows of
// `cols` values); axis 1, columns [begin, end) of every row (`rows` rows of
// end − begin values). The header therefore costs segmentedHeaderBytes(n) =
// 32 + 40·n bytes on top of the slices' own bytes; Tensor::nbytes counts both.
#pragma once

#include "common/result.h"
#include "model/tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace precis {

enum class SegmentAxis : uint16_t { Rows = 0, Columns = 1 };

struct Segment {
    int64_t begin = 0, end = 0;  // rows or columns [begin, end) of the tensor
    DType dtype = DType::F32;    // the segment's own type
    uint64_t offset = 0;         // from the tensor's first byte (header included)
    uint64_t nbytes = 0;
};

struct SegmentedLayout {
    SegmentAxis axis = SegmentAxis::Rows;
    int64_t rows = 0, cols = 0;  // the whole tensor
    std::vector<Segment> segments;

    // The segment's own matrix: rows × cols (row segments: end − begin rows of
    // cols values; column segments: rows rows of end − begin values).
    int64_t segmentRows(const Segment& s) const { return axis == SegmentAxis::Rows ? s.end - s.begin : rows; }
    int64_t segmentCols(const Segment& s) const { return axis == SegmentAxis::Columns ? s.end - s.begin : cols; }
};

constexpr uint32_t kSegmentedMagic = 0x47455350u;  // "PSEG"
constexpr uint16_t kSegmentedVersion = 1;
constexpr uint64_t kSegmentedFixedBytes = 32;    // magic .. cols
constexpr uint64_t kSegmentedEntryBytes = 40;    // one segment's header entry

// Header bytes of a tensor with n segments: 32 + 40·n.
constexpr uint64_t segmentedHeaderBytes(uint64_t n) { return kSegmentedFixedBytes + kSegmentedEntryBytes * n; }

// Reads and checks the header of a Segmented tensor before anything is
// allocated from its counts: magic, version, axis, reserved fields, the
// segment count against the bytes present, rows/cols against the tensor's
// shape, segments contiguous from 0 to the end with end > begin, each dtype a
// GGUF type or an RTN layout, each byte count equal to its slice's size in
// its type (the slice's row length a multiple of the type's block size), the
// offsets packed in order, and the total equal to Tensor::nbytes. Errors
// (InvalidArgument) name the tensor, the segment and the value found and expected.
Result<SegmentedLayout> readSegmentedLayout(const Tensor& t);

// One encoded slice for makeSegmentedTensor.
struct SegmentBytes {
    int64_t begin = 0, end = 0;
    DType dtype = DType::F32;
    std::vector<uint8_t> bytes;  // quant::encode's bytes of the slice as its own matrix
};

// An owned Segmented tensor of shape `shape` (2-D or more, rows = numel / cols)
// from its slices, in any order; the result passes readSegmentedLayout.
// Errors as readSegmentedLayout's (overlapping, uncovered or out-of-range
// slices, byte counts that do not match their slices, Segmented as a slice type).
Result<Tensor> makeSegmentedTensor(std::string name, std::vector<int64_t> shape, SegmentAxis axis,
                                   std::vector<SegmentBytes> slices);

// "rows [0, 64) Q8_0" / "columns [64, 128) RTN4g32" (for messages and notes).
std::string segmentText(SegmentAxis axis, int64_t begin, int64_t end, const std::string& type);

// A short type name for any tensor: dtypeName(), or for a Segmented tensor its
// segment types in order of first appearance, "SEG[Q8_0+Q4_0]" ("SEGMENTED"
// when the header does not read).
std::string tensorTypeName(const Tensor& t);

} // namespace precis
