import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC
import GrokStore

/// `session.*`, `prefs.*` and `feedback.*`: the durable memory, each call acting for the uid of
/// the connection that made it (a foreign id is "not found"). Writes answer once committed.
struct MemoryMethods: Sendable {
    /// The store, or why there is none.
    let store: Result<Store, StoreError>

    func register(in table: inout MethodTable) {
        table.register(SessionCreate.self) { params, context in
            try run(context) { store, uid in try store.createSession(owner: uid, title: params.title ?? "", model: params.model) }
        }
        table.register(SessionList.self) { params, context in
            let limit = try Self.limit(params.limit)
            let cursor = try Self.cursor(params.cursor)
            return try run(context) { store, uid in
                let (sessions, next) = try store.listSessions(owner: uid, archived: params.archived ?? false, after: cursor, limit: limit)
                return SessionList.Result(sessions: sessions, nextCursor: next.map(String.init))
            }
        }
        table.register(SessionGet.self) { params, context in
            try run(context) { store, uid in
                guard let (session, messages) = try store.session(owner: uid, id: params.id) else { throw RPCError.notFound("session \(params.id)") }
                return SessionGet.Result(session: session, messages: messages)
            }
        }
        table.register(SessionAppend.self) { params, context in
            for (index, message) in params.messages.enumerated() where !["system", "user", "assistant", "tool"].contains(message.role) {
                throw RPCError.invalidParams("role must be system, user, assistant or tool", field: "messages[\(index)].role")
            }
            for (index, message) in params.messages.enumerated() where !([nil, "stop", "length", "cancelled"] as [String?]).contains(message.finish) {
                throw RPCError.invalidParams("finish must be stop, length or cancelled", field: "messages[\(index)].finish")
            }
            return try run(context) { store, uid in
                guard let ids = try store.append(owner: uid, session: params.id, messages: params.messages) else {
                    throw RPCError.notFound("session \(params.id)")
                }
                return SessionAppend.Result(ids: ids)
            }
        }
        table.register(SessionRename.self) { params, context in
            try change(context, params.id) { try $0.rename(owner: $1, session: params.id, title: params.title) }
        }
        table.register(SessionArchive.self) { params, context in
            try change(context, params.id) { try $0.archive(owner: $1, session: params.id, archived: params.archived ?? true) }
        }
        table.register(SessionDelete.self) { params, context in
            try change(context, params.id) { try $0.delete(owner: $1, session: params.id) }
        }
        table.register(SessionFork.self) { params, context in
            try run(context) { store, uid in
                guard let fork = try store.fork(owner: uid, session: params.id, upTo: params.upTo, title: params.title) else {
                    throw RPCError.notFound("session \(params.id)")
                }
                return fork
            }
        }
        table.register(SessionSearch.self) { params, context in
            let limit = try Self.limit(params.limit)
            return try run(context) { store, uid in SessionSearch.Result(hits: try store.search(owner: uid, query: params.query, limit: limit)) }
        }
        table.register(SessionExport.self) { params, context in
            let format = params.format ?? "json"
            guard format == "json" || format == "markdown" else { throw RPCError.invalidParams("format is json or markdown", field: "format") }
            return try run(context) { store, uid in
                guard let content = try store.export(owner: uid, session: params.id, markdown: format == "markdown") else {
                    throw RPCError.notFound("session \(params.id)")
                }
                return SessionExport.Result(format: format, content: content)
            }
        }
        registerPreferences(in: &table)
    }

    private func registerPreferences(in table: inout MethodTable) {
        table.register(PrefsGet.self) { params, context in
            try Preferences.check(key: params.key)
            return try run(context) { store, uid in PrefsGet.Result(key: params.key, value: try store.preference(owner: uid, key: params.key) ?? .null) }
        }
        table.register(PrefsSet.self) { params, context in
            try Preferences.check(key: params.key, value: params.value)
            return try run(context) { store, uid in
                try store.setPreference(owner: uid, key: params.key, value: params.value)
                return PrefsGet.Result(key: params.key, value: params.value)
            }
        }
        table.register(PrefsUnset.self) { params, context in
            try Preferences.check(key: params.key)
            return try run(context) { store, uid in SessionChange(changed: try store.unsetPreference(owner: uid, key: params.key)) }
        }
        table.register(PrefsList.self) { _, context in
            try run(context) { store, uid in
                PrefsList.Result(prefs: .object(JSONObject(uniqueKeysWithValues: try store.preferences(owner: uid).map { ($0.key, $0.value) })))
            }
        }
        table.register(FeedbackSubmit.self) { params, context in
            guard params.rating == 1 || params.rating == -1 else { throw RPCError.invalidParams("rating is 1 or -1", field: "rating") }
            return try run(context) { store, uid in
                guard let id = try store.submitFeedback(
                    owner: uid, message: params.messageId, rating: params.rating, comment: params.comment, correction: params.correction)
                else { throw RPCError.notFound("message \(params.messageId)") }
                return FeedbackSubmit.Result(id: id)
            }
        }
        registerLearning(in: &table)
        table.register(FeedbackList.self) { params, context in
            let limit = try Self.limit(params.limit)
            let cursor = try Self.cursor(params.cursor)
            return try run(context) { store, uid in
                let (entries, next) = try store.feedback(owner: uid, after: cursor, limit: limit)
                return FeedbackList.Result(
                    feedback: entries.map { .init(id: $0.id, messageId: $0.message, rating: $0.rating, comment: $0.comment,
                                                  correction: $0.correction, created: $0.created) },
                    nextCursor: next.map(String.init))
            }
        }
    }

    /// Runs `body` for the caller's uid; a failing write or read is an internal error that says why.
    func run<T>(_ context: RequestContext, _ body: (Store, UInt32) throws -> T) throws -> T {
        let store: Store
        switch self.store {
        case .success(let opened): store = opened
        case .failure(let reason): throw RPCError.internalError("the memory store is unavailable: \(reason)")
        }
        do {
            return try body(store, context.peer.uid)
        } catch let error as RPCError {
            throw error
        } catch {
            let (diskFull, message) = Store.explain(error)
            throw RPCError(
                code: RPCErrorCode.internalError, message: "Internal error: \(message)",
                data: ["reason": .string(diskFull ? "diskFull" : "storeFailed")])
        }
    }

    private func change(_ context: RequestContext, _ id: String, _ body: (Store, UInt32) throws -> Bool) throws -> SessionChange {
        try run(context) { store, uid in
            guard try body(store, uid) else { throw RPCError.notFound("session \(id)") }
            return SessionChange(changed: true)
        }
    }

    private static func limit(_ given: Int?) throws -> Int {
        let limit = given ?? 50
        guard (1...500).contains(limit) else { throw RPCError.invalidParams("limit must be 1...500", field: "limit") }
        return limit
    }

    private static func cursor(_ given: String?) throws -> Int64? {
        guard let given else { return nil }
        guard let value = Int64(given) else { throw RPCError.invalidParams("not a cursor from an earlier page", field: "cursor") }
        return value
    }
}
