import CJansson

/// The only place in grok that touches `json_t`: text to `JSONValue` and back through jansson.
///
/// Every `json_t` made here is released before the function returns, on every path.
enum Jansson {
    /// Parses one JSON text (any value at the top level). Strict: invalid UTF-8, lone
    /// surrogate escapes and duplicate object keys are errors; `\u0000` inside strings is kept.
    static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) throws(JSONCodecError) -> JSONValue {
        guard NestingScanner.fits(bytes, limit: maxDepth) else { throw .tooDeep(limit: maxDepth) }
        var error = json_error_t()
        let flags = Int(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self), !bytes.isEmpty else {
            throw .syntax(message: "empty input", line: 1, column: 0, position: 0)
        }
        guard let root = json_loadb(base, bytes.count, flags, &error) else {
            throw codecError(from: &error)
        }
        defer { grok_json_decref(root) }
        return value(of: root)
    }

    /// Prints a value as compact UTF-8 JSON text (no trailing newline).
    /// `pretty` indents by two spaces, for people; the wire always gets the compact form.
    static func print(_ value: JSONValue, pretty: Bool = false) throws(JSONCodecError) -> [UInt8] {
        let root = try make(value)
        defer { grok_json_decref(root) }
        let layout = pretty ? 2 : Int(JSON_COMPACT)  // JSON_INDENT(2) or compact
        let flags = layout | Int(JSON_ENCODE_ANY) | (17 << 11)  // JSON_REAL_PRECISION(17)
        let size = json_dumpb(root, nil, 0, flags)
        guard size > 0 else { throw .unencodable("value (jansson refused to print it)") }
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            let raw = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            count = json_dumpb(root, raw, size, flags)
        }
    }

    // MARK: json_t → JSONValue

    private static func value(of json: UnsafeMutablePointer<json_t>) -> JSONValue {
        switch json.pointee.type {
        case JSON_NULL: return .null
        case JSON_TRUE: return .bool(true)
        case JSON_FALSE: return .bool(false)
        case JSON_INTEGER: return .int(Int64(json_integer_value(json)))
        case JSON_REAL: return .double(json_real_value(json))
        case JSON_STRING: return .string(string(of: json))
        case JSON_ARRAY:
            let count = json_array_size(json)
            var array: [JSONValue] = []
            array.reserveCapacity(count)
            for index in 0..<count {
                array.append(value(of: json_array_get(json, index)))
            }
            return .array(array)
        default:
            return .object(object(of: json))
        }
    }

    private static func string(of json: UnsafeMutablePointer<json_t>) -> String {
        let length = json_string_length(json)
        guard let chars = json_string_value(json) else { return "" }
        let buffer = UnsafeRawBufferPointer(start: chars, count: length)
        return String(decoding: buffer, as: UTF8.self)
    }

    private static func object(of json: UnsafeMutablePointer<json_t>) -> JSONObject {
        var object = JSONObject(minimumCapacity: json_object_size(json))
        var iterator = json_object_iter(json)
        while let current = iterator {
            let keyLength = json_object_iter_key_len(current)
            let keyBytes = UnsafeRawBufferPointer(start: json_object_iter_key(current), count: keyLength)
            let key = String(decoding: keyBytes, as: UTF8.self)
            object[key] = value(of: json_object_iter_value(current))
            iterator = json_object_iter_next(json, current)
        }
        return object
    }

    // MARK: JSONValue → json_t

    /// Builds a new json_t tree; the caller owns the returned reference.
    private static func make(_ value: JSONValue) throws(JSONCodecError) -> UnsafeMutablePointer<json_t> {
        let made: UnsafeMutablePointer<json_t>?
        switch value {
        case .null: made = json_null()
        case .bool(let flag): made = flag ? json_true() : json_false()
        case .int(let number): made = json_integer(json_int_t(number))
        case .double(let number):
            guard number.isFinite else { throw .unencodable("the number \(number)") }
            made = json_real(number)
        case .string(let text): made = makeString(text)
        case .array(let elements): made = try makeArray(elements)
        case .object(let members): made = try makeObject(members)
        }
        guard let made else { throw .unencodable("value (out of memory)") }
        return made
    }

    private static func makeString(_ text: String) -> UnsafeMutablePointer<json_t>? {
        var text = text
        // Swift strings are valid UTF-8 already, so jansson need not check again.
        return text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress, !utf8.isEmpty else { return json_string("") }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) { json_stringn_nocheck($0, utf8.count) }
        }
    }

    private static func makeArray(_ elements: [JSONValue]) throws(JSONCodecError) -> UnsafeMutablePointer<json_t>? {
        guard let array = json_array() else { return nil }
        for element in elements {
            let child: UnsafeMutablePointer<json_t>
            do { child = try make(element) } catch {
                grok_json_decref(array)
                throw error
            }
            json_array_append_new(array, child)  // steals `child`
        }
        return array
    }

    private static func makeObject(_ members: JSONObject) throws(JSONCodecError) -> UnsafeMutablePointer<json_t>? {
        guard let object = json_object() else { return nil }
        for (key, member) in members {
            let child: UnsafeMutablePointer<json_t>
            do { child = try make(member) } catch {
                grok_json_decref(object)
                throw error
            }
            var key = key
            key.withUTF8 { utf8 in
                guard let base = utf8.baseAddress, !utf8.isEmpty else {
                    _ = json_object_set_new_nocheck(object, "", child)  // steals `child`
                    return
                }
                base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                    _ = json_object_setn_new_nocheck(object, $0, utf8.count, child)  // steals `child`
                }
            }
        }
        return object
    }

    // MARK: errors

    private static func codecError(from error: inout json_error_t) -> JSONCodecError {
        let message = withUnsafeBytes(of: &error.text) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let code = withUnsafeBytes(of: &error.text) { raw in raw[raw.count - 1] }
        if code == UInt8(json_error_invalid_utf8.rawValue) {
            return .invalidUTF8(position: Int(error.position))
        }
        return .syntax(
            message: message, line: Int(error.line), column: Int(error.column), position: Int(error.position))
    }
}
