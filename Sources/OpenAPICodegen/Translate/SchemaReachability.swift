/// Which named schemas the generated code needs: those the operations use, directly or through
/// other schemas (`pruneUnusedSchemas`), and never those reached only through a schema the
/// application supplies its own type for (`typeOverrides`), whose parts come with that type.
enum SchemaReachability {
    /// The schemas to declare: reached by `operations` when pruning, else every schema but those
    /// hidden behind `replaced` ones.
    static func keys(for operations: [Operation], pruning: Bool, replaced: Set<SchemaKey>, in document: OpenAPIDocument) -> Set<SchemaKey>? {
        let byKey = Dictionary(document.schemas.map { ($0.key, $0.schema) }, uniquingKeysWith: { first, _ in first })
        var operationSchemas: [Schema] = []
        for operation in operations {
            operationSchemas += operation.parameters.map(\.schema)
            operationSchemas += operation.requestBody?.content.compactMap(\.schema) ?? []
            for response in operation.responses {
                operationSchemas += response.content.compactMap(\.schema) + response.headers.map(\.schema)
            }
        }
        if pruning { return walk(from: operationSchemas, stoppingAt: replaced, byKey) }
        guard !replaced.isEmpty else { return nil }
        let behindReplaced = walk(from: replaced.compactMap { byKey[$0] }, stoppingAt: [], byKey)
        let others = document.schemas.filter { !behindReplaced.contains($0.key) && !replaced.contains($0.key) }.map(\.schema)
        let visible = walk(from: operationSchemas + others, stoppingAt: replaced, byKey)
        return Set(document.schemas.map(\.key)).subtracting(behindReplaced.subtracting(visible))
    }

    /// Every named schema reached from `start` through references, properties, items and
    /// discriminator mappings, without looking into `stop`.
    private static func walk(from start: [Schema], stoppingAt stop: Set<SchemaKey>, _ byKey: [SchemaKey: Schema]) -> Set<SchemaKey> {
        var reached: Set<SchemaKey> = []
        var pending = start
        func reach(_ key: SchemaKey) {
            guard reached.insert(key).inserted, !stop.contains(key), let target = byKey[key] else { return }
            pending.append(target)
        }
        while let schema = pending.popLast() {
            switch schema {
            case .reference(let key, _):
                reach(key)
            case .inline(let object):
                pending += object.properties.map(\.schema) + object.allOf + object.oneOf + object.anyOf
                if let items = object.items { pending.append(items) }
                if case .schema(let values) = object.additionalProperties { pending.append(values) }
                for entry in object.discriminator?.mapping ?? [] { reach(entry.target) }
            }
        }
        return reached
    }
}
