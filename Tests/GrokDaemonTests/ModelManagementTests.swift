import Foundation
import GrokClient
import GrokJSON
import GrokProtocol
import GrokRPC
import Synchronization
import Testing

/// Model management on the real daemon: the models folder, loading on demand and by hand,
/// unloading, the loaded-model bound and keep-alive, files too big for memory, removal, and
/// pulls from a local HTTP server (interrupted and resumed, wrong checksum, no room).
@Suite(.serialized) struct ModelManagementTests {
    /// A daemon whose models folder holds the default model under two names (symlinks).
    static func daemon(config: String? = nil) async throws -> (TestDaemon, RPCClient, folder: String) {
        let daemon = try TestDaemon(config: config)
        let folder = daemon.root + "/data/grok/models"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in ["gemma", "gemma-twin"] {
            try FileManager.default.createSymbolicLink(atPath: "\(folder)/\(name).gguf", withDestinationPath: EngineMethodsTests.modelPath)
        }
        try daemon.start(arguments: ["--model", folder + "/gemma.gguf"])
        try await daemon.waitUntilReady()
        return (daemon, try await daemon.client(), folder)
    }

    static func greedy(_ model: String?, _ client: RPCClient) async throws -> [Int32] {
        var options = Generate.Options()
        options.temperature = 0
        options.maxTokens = 6
        var params = Generate.Params(prompt: "The capital of France is", options: options)
        params.model = model
        return try await client.call(Generate.self, params).ids
    }

    static func loaded(_ client: RPCClient) async throws -> Set<String> {
        Set(try await client.call(ModelList.self, NoParams()).models.filter(\.loaded).map(\.name))
    }

    @Test func listLoadOnDemandUnloadAndRemove() async throws {
        let (daemon, client, folder) = try await Self.daemon()
        defer { withExtendedLifetime(daemon) {} }
        let listed = try await client.call(ModelList.self, NoParams())
        #expect(listed.folder == folder && listed.models.map(\.name) == ["gemma", "gemma-twin"], "\(listed)")
        let first = try #require(listed.models.first)
        #expect(first.architecture == "gemma3" && first.contextLength == 32768 && first.quantization == "q8_0", "\(first)")
        #expect(first.isDefault && first.sizeBytes > 200_000_000)
        // grokctl shows the same, as a table on a terminal and as JSON for scripts.
        let socket = ["--socket", daemon.socketPath, "--no-autostart"]
        let (status, output) = try await ExampleClientTests.run(TestDaemon.grokctl, ["models", "ls", "--json"] + socket, environment: daemon.environment)
        let shown = try JSONCodec.parse(string: output.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(status == 0 && shown["models"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["gemma", "gemma-twin"], "\(output)")
        let (_, info) = try await ExampleClientTests.run(TestDaemon.grokctl, ["models", "info", "gemma-twin"] + socket, environment: daemon.environment)
        #expect(info.contains("architecture: gemma3") && info.contains("loaded: no"), "\(info)")
        // A request naming another model loads it; both give the same tokens (the same file).
        let byDefault = try await Self.greedy(nil, client)
        #expect(try await Self.greedy("gemma-twin", client) == byDefault)
        #expect(try await Self.loaded(client) == ["gemma", "gemma-twin"])
        let twin = try await client.call(ModelList.self, NoParams()).models.first { $0.name == "gemma-twin" }
        #expect(twin?.keepAliveSeconds == 300 && twin?.isDefault == false)
        // An unload lets a running generation finish first.
        let other = try await daemon.client()
        let started = Atomic<Bool>(false)
        let running = Task {
            var options = Generate.Options()
            options.temperature = 0
            options.maxTokens = 64
            var params = Generate.Params(prompt: "Once upon a time", options: options, stream: true)
            params.model = "gemma-twin"
            return try await other.call(Generate.self, params) { _ in started.store(true, ordering: .relaxed) }
        }
        #expect(try await eventually { started.load(ordering: .relaxed) })
        #expect(try await client.call(ModelUnload.self, .init(model: "gemma-twin")).unloaded)
        let finished = try await running.value
        #expect(finished.finishReason == "length" && finished.ids.count == 64)
        await other.close()
        // Unloaded, it is loaded again when asked for; a loaded model is not removed.
        #expect(try await Self.loaded(client) == ["gemma"])
        await #expect(throws: RPCError.self) { _ = try await client.call(ModelRemove.self, .init(model: "gemma")) }
        #expect(try await client.call(ModelRemove.self, .init(model: "gemma-twin")).removed)
        #expect(!FileManager.default.fileExists(atPath: folder + "/gemma-twin.gguf"))
        do {
            _ = try await Self.greedy("gemma-twin", client)
            Issue.record("a removed model must be refused")
        } catch let error as RPCError {
            #expect(error.code == RPCErrorCode.notFound)
        }
        await client.close()
    }

    @Test func theLoadedBoundAndKeepAliveMakeRoom() async throws {
        let (daemon, client, _) = try await Self.daemon(config: #"{"engine":{"maxLoadedModels":1,"keepAliveSeconds":1}}"#)
        defer { withExtendedLifetime(daemon) {} }
        _ = try await Self.greedy(nil, client)
        // One model at a time: the idle default makes room for the twin …
        let loaded = try await client.call(ModelLoad.self, .init(model: "gemma-twin"))
        #expect(loaded.loaded && loaded.state == "ready" && loaded.keepAliveSeconds == 1)
        // (The twin may already have outlived its one second: only the default's absence is sure.)
        #expect(try await !Self.loaded(client).contains("gemma"))
        // … which, idle past its keep-alive, is unloaded.
        var unloaded = false
        for _ in 0..<300 where !unloaded {
            unloaded = try await Self.loaded(client).isEmpty
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(unloaded)
        // The default model comes back for a request without `model`.
        #expect(!(try await Self.greedy(nil, client)).isEmpty)
        await client.close()
    }

    @Test func aFileTooBigForMemoryIsRefusedWithTheNumbers() async throws {
        let (daemon, client, folder) = try await Self.daemon()
        defer { withExtendedLifetime(daemon) {} }
        // A sparse file that claims far more than this machine has.
        let path = folder + "/enormous.gguf"
        FileManager.default.createFile(atPath: path, contents: Data("GGUF".utf8))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 1 << 42)  // 4 TiB: within what ext4 allows, beyond any memory
        try handle.close()
        do {
            _ = try await client.call(ModelLoad.self, .init(model: "enormous"))
            Issue.record("a file bigger than memory must be refused")
        } catch let error as RPCError {
            #expect(error.code == RPCErrorCode.modelUnavailable && error.data?["neededBytes"]?.intValue ?? 0 > 1 << 42, "\(error)")
            #expect(error.data?["availableBytes"]?.intValue ?? 0 > 0)
        }
        #expect(try await Self.loaded(client) == ["gemma"])
        await client.close()
    }

    /// A loopback HTTP server that serves one file with range requests, and cuts the first
    /// transfer short; `claim` overrides the Content-Length it announces.
    static func server(serving path: String, cutFirstAt cut: Int, claim: Int? = nil) throws -> (pid: pid_t, port: Int, root: String) {
        let root = try TestDaemon.makeTemporaryDirectory()
        let script = """
            import http.server, os, sys, socketserver
            path, cut, claim = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            data = open(path, "rb").read(); served = [0]
            class Handler(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def log_message(self, *args): pass
                def do_GET(self):
                    start = 0
                    if self.headers.get("Range"):
                        start = int(self.headers["Range"].split("=")[1].split("-")[0])
                        self.send_response(206)
                        self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
                    else:
                        self.send_response(200)
                    body = data[start:]
                    self.send_header("Content-Length", str(claim if claim > 0 else len(body)))
                    self.end_headers()
                    served[0] += 1
                    if served[0] == 1 and cut > 0:
                        self.wfile.write(body[:cut]); self.wfile.flush(); self.close_connection = True
                        self.connection.shutdown(2); return
                    self.wfile.write(body)
            server = socketserver.TCPServer(("127.0.0.1", 0), Handler)
            open(sys.argv[4], "w").write(str(server.server_address[1]))
            server.serve_forever()
            """
        let portFile = root + "/port"
        let pid = try ProcessSpawner.spawn(
            "/usr/bin/env", ["python3", "-c", script, path, "\(cut)", "\(claim ?? 0)", portFile],
            options: ProcessSpawner.Options())
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) { return (pid, port, root) }
            usleep(25_000)
        }
        throw TestFailure("the HTTP server did not start")
    }

    @Test func pullsResumeAndCheckWhatTheyGet() async throws {
        let (daemon, client, folder) = try await Self.daemon()
        defer { withExtendedLifetime(daemon) {} }
        // A small file that starts like a GGUF (a pull checks the magic and the checksum).
        let source = try TestDaemon.makeTemporaryDirectory() + "/tiny.gguf"
        var bytes = Array("GGUF".utf8)
        var random = SystemRandomNumberGenerator()
        bytes += (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &random) }
        try Data(bytes).write(to: URL(fileURLWithPath: source))
        let sha256 = try await ExampleClientTests.run("/usr/bin/sha256sum", [source], environment: [:]).1.prefix(64)
        let (pid, port, _) = try Self.server(serving: source, cutFirstAt: 1 << 20)
        defer { kill(pid, SIGTERM) }
        let url = "http://127.0.0.1:\(port)/tiny.gguf"
        // The first transfer stops at 1 MiB: the pull fails and keeps what it got …
        await #expect(throws: RPCError.self) { _ = try await client.call(ModelPull.self, .init(url: url, sha256: String(sha256))) }
        let partial = try FileManager.default.attributesOfItem(atPath: folder + "/tiny.gguf.partial")[.size] as? Int
        #expect(partial == 1 << 20)
        // … and the next one resumes from there, with progress, and checks the sum.
        let ticks = Mutex<[Int64]>([])
        let pulled = try await client.call(ModelPull.self, .init(url: url, sha256: String(sha256), stream: true)) { progress in
            if let received = progress["receivedBytes"]?.intValue { ticks.withLock { $0.append(received) } }
        }
        #expect(pulled.name == "tiny" && pulled.sizeBytes == Int64(bytes.count) && pulled.problem != nil)
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/tiny.gguf")) == Data(bytes))
        #expect(ticks.withLock { $0.first ?? 0 } > 1 << 20 && ticks.withLock { $0.last } == Int64(bytes.count))
        // A wrong checksum is refused and nothing is kept.
        do {
            _ = try await client.call(ModelPull.self, .init(url: url, sha256: String(repeating: "0", count: 64), name: "wrong"))
            Issue.record("a wrong checksum must be refused")
        } catch let error as RPCError {
            #expect(error.message.contains("sha256 mismatch"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/wrong.gguf") && !FileManager.default.fileExists(atPath: folder + "/wrong.gguf.partial"))
        // Plain http elsewhere than loopback is refused before anything is fetched.
        await #expect(throws: RPCError.self) { _ = try await client.call(ModelPull.self, .init(url: "http://example.com/x.gguf")) }
        await client.close()
    }

    @Test func aPullThatCannotFitOnDiskIsRefused() async throws {
        let (daemon, client, folder) = try await Self.daemon()
        defer { withExtendedLifetime(daemon) {} }
        let source = try TestDaemon.makeTemporaryDirectory() + "/small.gguf"
        try Data("GGUF0123".utf8).write(to: URL(fileURLWithPath: source))
        // The server announces 64 TiB: more than any disk here has free.
        let (pid, port, _) = try Self.server(serving: source, cutFirstAt: 0, claim: 1 << 46)
        defer { kill(pid, SIGTERM) }
        do {
            _ = try await client.call(ModelPull.self, .init(url: "http://127.0.0.1:\(port)/small.gguf"))
            Issue.record("a file that cannot fit on the disk must be refused")
        } catch let error as RPCError {
            #expect(error.message.contains("disk is too full"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/small.gguf"))
        await client.close()
    }
}
