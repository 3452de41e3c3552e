import Foundation
import GrokPlugins
import GrokProtocol
import GrokStore
import GrokRPC
import Synchronization

/// What the daemon's methods read and change: config, counters, and the shutdown switch.
final class DaemonState: Sendable {
    let config: DaemonConfig
    let socketDescription: String
    let models: ModelRegistry
    let plugins: PluginManager
    let store: Result<Store, StoreError>
    private let started = ContinuousClock.now
    private let server = Mutex<RPCServer?>(nil)
    private let names = Mutex<[String]>([])

    init(config: DaemonConfig, socketDescription: String, models: ModelRegistry, plugins: PluginManager, store: Result<Store, StoreError>) {
        self.config = config
        self.socketDescription = socketDescription
        self.models = models
        self.plugins = plugins
        self.store = store
    }

    /// Called once the server exists (it needs the method table, which needs this state).
    func attach(_ server: RPCServer, methodNames: [String]) {
        self.server.withLock { $0 = server }
        names.withLock { $0 = methodNames }
    }

    var methodNames: [String] { names.withLock { $0 } }

    func status() async -> DaemonStatus.Result {
        let stats = server.withLock { $0?.stats }
        let plugins = await plugins.list()
        var result = DaemonStatus.Result(
            version: GrokVersion.current, protocolVersion: ProtocolVersion.current, pid: getpid(),
            uptimeMs: Int64((ContinuousClock.now - started).milliseconds), socket: socketDescription,
            connections: stats?.connections ?? 0, requestsServed: stats?.requestsServed ?? 0,
            inFlight: max(0, (stats?.inFlight ?? 1) - 1),  // the status request itself is not counted
            model: models.defaultHost.flatMap { model in
                model.path.map { path in
                    let load = model.load
                    return DaemonStatus.ModelStatus(
                        path: path, state: model.summary, engine: model.engine, running: load?.running, queued: load?.queued,
                        kvCache: model.cacheBytes, speculation: model.speculation)
                }
            })
        result.plugins = plugins
        switch store {
        case .success(let store):
            result.store = DaemonStatus.StoreStatus(path: store.path, state: "ready", recoveredFrom: store.recovered)
        case .failure(let error):
            result.store = DaemonStatus.StoreStatus(path: config.database, state: "unavailable: \(error.description)", recoveredFrom: nil)
        }
        return result
    }

    /// Starts a graceful stop: no new connections, running requests finish, then exit.
    func requestShutdown() {
        server.withLock { $0 }?.shutdown()
    }
}
