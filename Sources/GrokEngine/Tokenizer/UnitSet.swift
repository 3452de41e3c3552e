/// A set of the code units a split expression matches one at a time: sorted, disjoint, closed
/// ranges, with the ASCII members also kept as a bitmap (ASCII is most of most texts).
///
/// Units are Unicode scalar values, plus the category units (`SplitUnits`) that stand for a
/// whole Unicode category in "collapsed" text.
struct UnitSet: Sendable {
    /// The largest unit: above every scalar, room for the category units.
    static let maxUnit: UInt32 = 0x11_FFFF

    private(set) var ranges: [ClosedRange<UInt32>]
    private var asciiLow: UInt64 = 0
    private var asciiHigh: UInt64 = 0

    init(_ ranges: [ClosedRange<UInt32>]) {
        // Sort and merge, so that complement and intersection can walk them in order.
        var merged: [ClosedRange<UInt32>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        self.ranges = merged
        for range in merged where range.lowerBound < 128 {
            for unit in range.lowerBound...min(range.upperBound, 127) {
                if unit < 64 { asciiLow |= 1 << UInt64(unit) } else { asciiHigh |= 1 << UInt64(unit - 64) }
            }
        }
    }

    static func single(_ unit: UInt32) -> UnitSet { UnitSet([unit...unit]) }

    @inline(__always)
    func contains(_ unit: UInt32) -> Bool {
        if unit < 64 { return asciiLow & (1 << UInt64(unit)) != 0 }
        if unit < 128 { return asciiHigh & (1 << UInt64(unit - 64)) != 0 }
        // Binary search for the last range starting at or before the unit.
        var low = 0, high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].lowerBound <= unit { low = middle + 1 } else { high = middle }
        }
        return low > 0 && ranges[low - 1].upperBound >= unit
    }

    func union(_ other: UnitSet) -> UnitSet { UnitSet(ranges + other.ranges) }

    /// Every unit not in the set (`[^…]`).
    func complement() -> UnitSet {
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in ranges {
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            if range.upperBound >= Self.maxUnit { return UnitSet(result) }
            next = range.upperBound + 1
        }
        result.append(next...Self.maxUnit)
        return UnitSet(result)
    }

    func intersection(_ other: UnitSet) -> UnitSet {
        // A ∩ B = ¬(¬A ∪ ¬B): the sets are small, clarity wins.
        complement().union(other.complement()).complement()
    }

    func subtracting(_ other: UnitSet) -> UnitSet { intersection(other.complement()) }
}
