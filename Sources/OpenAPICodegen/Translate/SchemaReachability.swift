/// Which named schemas a set of operations uses, directly or through other schemas, for
/// `pruneUnusedSchemas`.
enum SchemaReachability {
    static func keys(reachedBy operations: [Operation], in document: OpenAPIDocument) -> Set<SchemaKey> {
        let byKey = Dictionary(document.schemas.map { ($0.key, $0.schema) }, uniquingKeysWith: { first, _ in first })
        var reached: Set<SchemaKey> = []
        var pending: [Schema] = operations.flatMap { operation in
            operation.parameters.map(\.schema) + (operation.requestBody?.content.compactMap(\.schema) ?? [])
                + operation.responses.flatMap { $0.content.compactMap(\.schema) + $0.headers.map(\.schema) }
        }
        while let schema = pending.popLast() {
            switch schema {
            case .reference(let key, _):
                guard reached.insert(key).inserted, let target = byKey[key] else { continue }
                pending.append(target)
            case .inline(let object):
                pending += object.properties.map(\.schema) + object.allOf + object.oneOf + object.anyOf
                if let items = object.items { pending.append(items) }
                if case .schema(let values) = object.additionalProperties { pending.append(values) }
                for entry in object.discriminator?.mapping ?? [] where reached.insert(entry.target).inserted {
                    if let target = byKey[entry.target] { pending.append(target) }
                }
            }
        }
        return reached
    }
}
