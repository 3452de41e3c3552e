import GrokJSON

/// One JSON-RPC message as read from the wire, classified and checked against JSON-RPC 2.0.
public enum RPCMessage: Sendable, Equatable {
    case request(id: RPCID, method: String, params: JSONValue?)
    case notification(method: String, params: JSONValue?)
    case response(id: RPCID, result: Result<JSONValue, RPCError>)
    /// Not a valid message; `id` is set when one could be read, so the error can name it.
    case invalid(id: RPCID?, error: RPCError)

    /// Classifies one parsed JSON value (not a batch: the caller splits arrays).
    public init(json: JSONValue) {
        guard case .object(let object) = json else {
            self = .invalid(id: nil, error: .invalidRequest("a message is a JSON object, got \(json.typeName)"))
            return
        }
        let id = object["id"].flatMap(RPCID.init(json:))
        guard object["jsonrpc"] == "2.0" else {
            self = .invalid(id: id, error: .invalidRequest(#"field "jsonrpc" must be "2.0""#))
            return
        }
        if let rawID = object["id"], id == nil {
            self = .invalid(id: nil, error: .invalidRequest("id must be a string, an integer or null, got \(rawID.typeName)"))
            return
        }
        if let method = object["method"] {
            self = Self.call(method: method, params: object["params"], id: id)
        } else if let id {
            self = Self.reply(object, id: id)
        } else {
            self = .invalid(id: nil, error: .invalidRequest(#"missing "method""#))
        }
    }

    private static func call(method: JSONValue, params: JSONValue?, id: RPCID?) -> RPCMessage {
        guard case .string(let name) = method else {
            return .invalid(id: id, error: .invalidRequest("method must be a string, got \(method.typeName)"))
        }
        if let params, params.objectValue == nil, params.arrayValue == nil {
            return .invalid(id: id, error: .invalidRequest("params must be an object or an array, got \(params.typeName)"))
        }
        guard let id else { return .notification(method: name, params: params) }
        return .request(id: id, method: name, params: params)
    }

    private static func reply(_ object: JSONObject, id: RPCID) -> RPCMessage {
        if let result = object["result"] { return .response(id: id, result: .success(result)) }
        if let error = object["error"], let decoded = try? JSONValueDecoder().decode(RPCError.self, from: error) {
            return .response(id: id, result: .failure(decoded))
        }
        return .invalid(id: id, error: .invalidRequest("a response needs result or error"))
    }

    /// The message as a JSON value, ready to print.
    public var json: JSONValue {
        switch self {
        case .request(let id, let method, let params):
            var object: JSONObject = ["jsonrpc": "2.0", "id": id.json, "method": .string(method)]
            if let params { object["params"] = params }
            return .object(object)
        case .notification(let method, let params):
            var object: JSONObject = ["jsonrpc": "2.0", "method": .string(method)]
            if let params { object["params"] = params }
            return .object(object)
        case .response(let id, .success(let result)):
            return ["jsonrpc": "2.0", "id": id.json, "result": result]
        case .response(let id, .failure(let error)):
            return Self.errorJSON(id: id, error)
        case .invalid(let id, let error):
            return Self.errorJSON(id: id ?? .null, error)
        }
    }

    private static func errorJSON(id: RPCID, _ error: RPCError) -> JSONValue {
        var body: JSONObject = ["code": .int(Int64(error.code)), "message": .string(error.message)]
        if let data = error.data { body["data"] = data }
        return ["jsonrpc": "2.0", "id": id.json, "error": .object(body)]
    }
}
