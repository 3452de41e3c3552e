import Foundation
import GrokPlugins
import GrokProtocol
import GrokRPC
import GrokStore
import Logging
import ServiceLifecycle

/// The grok daemon: binds the socket, serves every method, stops gracefully on SIGTERM/SIGINT.
public enum GrokDaemon {
    /// Why the daemon could not start; `exitCode` tells scripts which.
    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
        /// 3 when another daemon already serves the socket, 1 for anything else.
        public var exitCode: Int32
    }

    /// Runs until shut down. Throws `StartFailure` when the daemon cannot start.
    public static func run(config: DaemonConfig, logger: Logger) async throws {
        umask(0o077)  // everything the daemon creates is private to its user
        // Past a file-size limit a write should fail (and the store report the disk as full),
        // not end the daemon.
        signal(SIGXFSZ, SIG_IGN)
        let activated = SocketActivation.listenDescriptor()
        let placement: SocketPlacement?
        do {
            placement = activated == nil ? try SocketPlacement(socketPath: config.socket) : nil
        } catch let failure as SocketPlacement.Failure {
            if case .alreadyRunning = failure { throw StartFailure(description: failure.description, exitCode: 3) }
            throw StartFailure(description: failure.description, exitCode: 1)
        }
        defer { placement?.release() }

        let socketDescription = activated.map { SocketActivation.boundPath(of: $0) ?? "fd \($0)" } ?? config.socket
        let models = ModelRegistry(settings: config.modelSettings, defaultModel: config.model)
        let plugins = Self.pluginManager(config, logger: logger)
        let store = Self.openStore(config, logger: logger)
        let state = DaemonState(config: config, socketDescription: socketDescription, models: models, plugins: plugins, store: store)
        var table = MethodTable()
        DaemonMethods(state: state).register(in: &table)
        let engine = EngineMethods(models: models)
        engine.register(in: &table)
        ModelMethods(models: models).register(in: &table)
        let ranker = PassageRanker(plugins: plugins, store: try? store.get())
        PluginMethods(plugins: plugins, ranker: ranker).register(in: &table)
        MemoryMethods(store: store).register(in: &table)
        ChatMethods(engine: engine, store: store, plugins: plugins, ranker: ranker).register(in: &table)
        var allowed = config.allowUIDs
        allowed.insert(geteuid())
        let server: RPCServer
        do {
            server = try await RPCServer(
                listener: activated.map { .descriptor($0) } ?? .path(config.socket),
                configuration: .init(limits: config.limits, allowedUIDs: allowed), table: table, logger: logger)
            try placement?.restrictSocket()
        } catch {
            throw StartFailure(description: "cannot listen on \(socketDescription): \(error)", exitCode: 1)
        }
        state.attach(server, methodNames: table.methodNames + MethodTable.connectionMethods)

        logger.notice(
            "grokd ready",
            metadata: ["socket": "\(socketDescription)", "pid": "\(getpid())", "version": "\(GrokVersion.current)",
                       "activation": "\(activated == nil ? "none" : "systemd")"])
        // Plugins start in the background: the socket serves meanwhile (plugins.list shows them starting).
        let starting = Task {
            await Self.startPlugins(config, plugins, logger: logger)
            await plugins.startupFinished()
        }
        // Models idle past their keep-alive are unloaded.
        let reaper = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(5))
                await models.unloadIdle()
            }
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: ServerService(server: server), successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        starting.cancel()
        reaper.cancel()
        await plugins.shutdown()
        models.shutdown()
        logger.notice("grokd stopped", metadata: ["requestsServed": "\(server.stats.requestsServed)"])
    }
}

extension GrokDaemon {
    /// The memory store; a database it cannot use (written by a newer grok, unopenable) leaves
    /// the daemon serving everything else, and the memory methods say why.
    static func openStore(_ config: DaemonConfig, logger: Logger) -> Result<Store, StoreError> {
        do {
            let store = try Store(path: config.database)
            if let aside = store.recovered {
                logger.error("the database \(config.database) failed its check; it was moved to \(aside) and a fresh one created")
            }
            return .success(store)
        } catch let error as StoreError {
            logger.error("no memory store: \(error.description)")
            return .failure(error)
        } catch {
            logger.error("no memory store: \(error)")
            return .failure(StoreError("\(error)"))
        }
    }

    static func pluginManager(_ config: DaemonConfig, logger: Logger) -> PluginManager {
        var settings = PluginSettings(hostPath: PluginMethods.hostPath())
        settings.callTimeout = .milliseconds(config.pluginTimeoutMs)
        return PluginManager(settings: settings) { line in logger.info("\(line)") }
    }

    /// The configured plugins, then the built-in ones not configured explicitly.
    static func startPlugins(_ config: DaemonConfig, _ plugins: PluginManager, logger: Logger) async {
        var specs = config.plugins
        if config.builtinPlugins {
            let configured = Set(specs.compactMap { spec -> String? in
                if case .library(let path) = spec.source { return (path as NSString).lastPathComponent }
                return nil
            })
            specs += PluginMethods.builtinLibraries().filter { !configured.contains(($0 as NSString).lastPathComponent) }
                .map { PluginSpec(source: .library(path: $0)) }
        }
        for spec in specs {
            do {
                try await plugins.load(spec)
            } catch {
                logger.warning("plugin not loaded: \(error.message)")
            }
        }
    }
}

/// Adapts the RPC server to swift-service-lifecycle.
struct ServerService: Service {
    let server: RPCServer

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.run()
        } onGracefulShutdown: {
            server.shutdown()
        }
    }
}
