/// How a split expression sees text: as units, one per scalar.
///
/// llama.cpp runs the expressions it has no hand-written splitter for through `std::regex`,
/// which knows nothing of Unicode categories. An expression that names one (`\p{L}` …) is run
/// on "collapsed" text: ASCII stays as it is and every other scalar becomes a single code for
/// its category (whitespace of any kind a vertical tab); `\p{L}` then means that code or an
/// ASCII letter. Other expressions see the scalars themselves, with non-ASCII whitespace as a
/// vertical tab (what `std::wregex`'s `\s` needs to see it).
enum SplitUnits {
    static let otherCategory: UInt32 = 0x11_0000
    static let letterCategory: UInt32 = 0x11_0001
    static let numberCategory: UInt32 = 0x11_0002
    static let punctuationCategory: UInt32 = 0x11_0003
    static let markCategory: UInt32 = 0x11_0004
    static let symbolCategory: UInt32 = 0x11_0005
    static let verticalTab: UInt32 = 0x0B

    /// The units of `text`, collapsed or not.
    static func units(_ text: ScalarText, collapsed: Bool) -> [UInt32] {
        var units: [UInt32] = []
        units.reserveCapacity(text.count)
        for index in 0..<text.count {
            let scalar = text.scalars[index]
            let cls = text.classes[index]
            if scalar < 128 {
                units.append(scalar)
            } else if cls.contains(.whitespace) {
                units.append(verticalTab)
            } else if !collapsed {
                units.append(scalar)
            } else if cls.contains(.letter) {
                units.append(letterCategory)
            } else if cls.contains(.number) {
                units.append(numberCategory)
            } else if cls.contains(.punctuation) {
                units.append(punctuationCategory)
            } else if cls.contains(.mark) {
                units.append(markCategory)
            } else if cls.contains(.symbol) {
                units.append(symbolCategory)
            } else {
                units.append(otherCategory)
            }
        }
        return units
    }

    /// `\p{…}` on collapsed text: the category's code and its ASCII members as llama.cpp lists
    /// them (for ASCII, `std::regex` sees the characters themselves). Every letter category
    /// (`\p{Lu}`, `\p{Ll}` …) is all letters, as there.
    static func category(_ name: String) -> UnitSet? {
        switch name {
        case "L", "Lu", "Ll", "Lt", "Lm", "Lo":
            return UnitSet([letterCategory...letterCategory, 0x41...0x5A, 0x61...0x7A])
        case "N":
            return UnitSet([numberCategory...numberCategory, 0x30...0x39])
        case "P":
            // ! " # % & ' ( ) * , - . / : ; ? @ [ \ ] _ { }
            return UnitSet([punctuationCategory...punctuationCategory, 0x21...0x23, 0x25...0x2A, 0x2C...0x2F,
                            0x3A...0x3B, 0x3F...0x40, 0x5B...0x5D, 0x5F...0x5F, 0x7B...0x7B, 0x7D...0x7D])
        case "S":
            // $ + < = > ^ ` | ~
            return UnitSet([symbolCategory...symbolCategory, 0x24...0x24, 0x2B...0x2B, 0x3C...0x3E,
                            0x5E...0x5E, 0x60...0x60, 0x7C...0x7C, 0x7E...0x7E])
        case "M":
            return UnitSet([markCategory...markCategory])
        default:
            return nil
        }
    }
}
