import Foundation
import GrokJSON
import GrokProtocol
import Testing

@Suite struct ProtocolDocumentTests {
    @Test func dispatchTableAndOpenRPCListTheSameMethods() async throws {
        let daemon = try await TestDaemon.started()
        let client = try await daemon.client()
        let served = try await client.call(Initialize.self, .init(clientInfo: .init(name: "tests"))).capabilities.methods
        let discovered = try await client.call(method: RPCDiscover.name, params: nil)
        let documented = Set(discovered["methods"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
        #expect(documented == Set(served))
        #expect(Set(served).isSuperset(of: [CancelRequest.name, CancelledNotification.name]))
        await client.close()
    }

    @Test func discoverReturnsTheFileInProtocolFolderUnchanged() async throws {
        let onDisk = try JSONCodec.parse([UInt8](Data(contentsOf: URL(fileURLWithPath: TestDaemon.repositoryRoot + "/protocol/openrpc.json"))), maxDepth: 256)
        let daemon = try await TestDaemon.started()
        let client = try await daemon.client()
        #expect(try await client.call(method: RPCDiscover.name, params: nil) == onDisk)
        #expect(onDisk["openrpc"]?.stringValue?.hasPrefix("1.") == true)
        await client.close()
    }

    @Test func protocolTextDocumentsEveryErrorCode() throws {
        let text = try String(contentsOfFile: TestDaemon.repositoryRoot + "/protocol/PROTOCOL.md", encoding: .utf8)
        let codes = [
            RPCErrorCode.parseError, RPCErrorCode.invalidRequest, RPCErrorCode.methodNotFound, RPCErrorCode.invalidParams,
            RPCErrorCode.internalError, RPCErrorCode.cancelled, RPCErrorCode.modelUnavailable, RPCErrorCode.overloaded,
            RPCErrorCode.contextTooLong, RPCErrorCode.pluginFailure, RPCErrorCode.permissionDenied, RPCErrorCode.notFound,
            RPCErrorCode.timeout,
        ]
        for code in codes { #expect(text.contains(String(code)), "PROTOCOL.md does not mention \(code)") }
    }
}
