import GrokJSON

/// `rpc.discover`: the OpenRPC document of this protocol (`protocol/openrpc.json`).
public enum RPCDiscover: RPCMethod {
    public static let name = "rpc.discover"
    public typealias Params = NoParams
    public typealias Result = JSONValue
}

/// The protocol documents compiled into the binary.
public enum ProtocolDocuments {
    /// `protocol/openrpc.json`, byte for byte.
    public static var openRPCBytes: [UInt8] { PackageResources.openrpc_json }

    /// The OpenRPC document, parsed.
    public static func openRPC() throws -> JSONValue {
        try JSONCodec.parse(openRPCBytes, maxDepth: 256)
    }

    /// The method names the OpenRPC document lists.
    public static func documentedMethods() throws -> [String] {
        try openRPC()["methods"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
    }
}
