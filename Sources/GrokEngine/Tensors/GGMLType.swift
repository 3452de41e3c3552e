/// A ggml tensor element type, with ggml's raw values as stored in GGUF tensor infos.
///
/// Every type ggml still defines is listed so a file's tensor table can be sized and validated
/// even when it holds a type the engine cannot compute with; `isSupported` says which ones the
/// kernels handle. Raw values 4, 5, 31–33 and 36–38 were removed upstream and stay unknown.
public enum GGMLType: UInt32, Sendable, CaseIterable {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    case q8_1 = 9
    case q2_K = 10
    case q3_K = 11
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    case q8_K = 15
    case iq2_xxs = 16
    case iq2_xs = 17
    case iq3_xxs = 18
    case iq1_s = 19
    case iq4_nl = 20
    case iq3_s = 21
    case iq2_s = 22
    case iq4_xs = 23
    case i8 = 24
    case i16 = 25
    case i32 = 26
    case i64 = 27
    case f64 = 28
    case iq1_m = 29
    case bf16 = 30
    case tq1_0 = 34
    case tq2_0 = 35
    case mxfp4 = 39

    /// Whether `ReferenceDequantize` and `Dot` handle this type.
    public var isSupported: Bool {
        switch self {
        case .f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .iq4_nl, .iq4_xs: true
        default: false
        }
    }

    /// Elements per block: rows are whole numbers of blocks.
    public var blockElements: Int { layout.elements }

    /// Bytes per block (for plain types, bytes per element).
    public var blockBytes: Int { layout.bytes }

    /// Bytes taken by a row of `elements` elements, or nil when the row is not a whole number of
    /// blocks, is negative, or its size overflows `Int`.
    public func rowBytes(elements: Int) -> Int? {
        guard elements >= 0, elements % blockElements == 0 else { return nil }
        let (bytes, overflow) = (elements / blockElements).multipliedReportingOverflow(by: blockBytes)
        return overflow ? nil : bytes
    }

    /// ggml's name for the type ("q4_K", "bf16", …), as llama.cpp prints it.
    public var name: String { String(describing: self) }

    /// (elements, bytes) per block, from ggml's `type_traits` (ggml-common.h block structs).
    private var layout: (elements: Int, bytes: Int) {
        switch self {
        case .f32: (1, 4)
        case .f16: (1, 2)
        case .bf16: (1, 2)
        case .f64: (1, 8)
        case .i8: (1, 1)
        case .i16: (1, 2)
        case .i32: (1, 4)
        case .i64: (1, 8)
        case .q4_0: (32, 18)  // f16 d, 16 bytes of nibbles
        case .q4_1: (32, 20)  // f16 d, f16 m, 16 bytes of nibbles
        case .q5_0: (32, 22)  // f16 d, 4 bytes of high bits, 16 bytes of nibbles
        case .q5_1: (32, 24)
        case .q8_0: (32, 34)  // f16 d, 32 signed bytes
        case .q8_1: (32, 36)
        case .q2_K: (256, 84)
        case .q3_K: (256, 110)
        case .q4_K: (256, 144)  // f16 d, f16 dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles
        case .q5_K: (256, 176)  // as q4_K plus 32 bytes of high bits
        case .q6_K: (256, 210)  // 128 low nibbles, 64 high 2-bit pairs, 16 int8 scales, f16 d
        case .q8_K: (256, 292)
        case .iq2_xxs: (256, 66)
        case .iq2_xs: (256, 74)
        case .iq3_xxs: (256, 98)
        case .iq1_s: (256, 50)
        case .iq4_nl: (32, 18)
        case .iq3_s: (256, 110)
        case .iq2_s: (256, 82)
        case .iq4_xs: (256, 136)
        case .iq1_m: (256, 56)
        case .tq1_0: (256, 54)
        case .tq2_0: (256, 66)
        case .mxfp4: (32, 17)
        }
    }
}
