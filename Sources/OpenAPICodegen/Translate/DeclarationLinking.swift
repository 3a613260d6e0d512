/// Passes over the finished declarations that need to see all of them at once:
/// how each union reads its discriminator back, and where recursion or layout needs indirection.
enum DeclarationLinking {
    /// Declarations in the scope they are nested in: the top level (nil) or `Operations.<Name>`.
    typealias Group = (scope: TypeName?, declarations: [Declaration])

    /// Links every group against all of them at once (operation types refer to schemas, and
    /// a schema's inline types can be reached from operations), in one pass.
    static func link(_ groups: [Group]) -> [[Declaration]] {
        var index: [TypeName: Declaration] = [:]
        for group in groups { collect(group.declarations, prefix: group.scope, into: &index) }
        let linked = groups.map { group in (scope: group.scope, declarations: group.declarations.map { resolveDiscriminators($0, index: index) }) }
        index = [:]
        for group in linked { collect(group.declarations, prefix: group.scope, into: &index) }
        let cyclic = cyclicTypes(index)
        return linked.map { group in group.declarations.map { addIndirection($0, prefix: group.scope, index: index, cyclic: cyclic) } }
    }

    private static func collect(_ declarations: [Declaration], prefix: TypeName?, into index: inout [TypeName: Declaration]) {
        for declaration in declarations {
            let qualified = prefix?.nested(declaration.name) ?? TypeName(declaration.name)
            index[qualified] = declaration
            collect(declaration.nestedTypes, prefix: qualified, into: &index)
        }
    }

    /// Follows type aliases to the declaration they name.
    private static func target(of type: TypeUsage, index: [TypeName: Declaration], depth: Int = 0) -> (name: TypeName, declaration: Declaration)? {
        guard case .named(let name) = type, let declaration = index[name], depth < 32 else { return nil }
        if case .typeAlias(let alias) = declaration { return target(of: alias.target, index: index, depth: depth + 1) }
        return (name, declaration)
    }

    // MARK: Discriminators

    private static func resolveDiscriminators(_ declaration: Declaration, index: [TypeName: Declaration]) -> Declaration {
        switch declaration {
        case .structure(var structure):
            structure.nestedTypes = structure.nestedTypes.map { resolveDiscriminators($0, index: index) }
            return .structure(structure)
        case .oneOf(var union):
            union.nestedTypes = union.nestedTypes.map { resolveDiscriminators($0, index: index) }
            guard let wireName = union.discriminatorProperty else { return .oneOf(union) }
            for position in union.cases.indices {
                guard case .structure(let payload)? = target(of: union.cases[position].type, index: index)?.declaration,
                    let property = payload.properties.first(where: { $0.wireName == wireName })
                else { continue }
                let isEnum: Bool
                if case .openEnum? = target(of: property.type, index: index)?.declaration { isEnum = true } else { isEnum = false }
                guard isEnum || property.type == .string else { continue }
                union.cases[position].discriminatorAccess = isEnum
                    ? .openEnum(property: property.swiftName, isOptional: property.isOptional)
                    : .string(property: property.swiftName, isOptional: property.isOptional)
            }
            return .oneOf(union)
        default:
            return declaration
        }
    }

    // MARK: Recursion

    /// Types that contain themselves by value. Arrays and maps are already heap storage,
    /// so only direct (and optional) members count.
    private static func cyclicTypes(_ index: [TypeName: Declaration]) -> Set<TypeName> {
        var edges: [TypeName: [TypeName]] = [:]
        for (name, declaration) in index {
            switch declaration {
            case .structure(let structure):
                edges[name] = structure.properties.compactMap { target(of: $0.type, index: index)?.name }
            case .oneOf(let union):
                edges[name] = union.cases.compactMap { target(of: $0.type, index: index)?.name }
            default:
                break
            }
        }
        var cyclic: Set<TypeName> = []
        for start in edges.keys {
            var stack = edges[start] ?? []
            var seen: Set<TypeName> = []
            while let next = stack.popLast() {
                if next == start {
                    cyclic.insert(start)
                    break
                }
                if seen.insert(next).inserted { stack += edges[next] ?? [] }
            }
        }
        return cyclic
    }

    /// Cyclic unions become `indirect`; a struct member is boxed when its type is in a
    /// cycle that does not pass through an (already indirect) union.
    ///
    /// An enum whose cases hold several generated structures is `indirect` too. Otherwise it
    /// is as wide as its widest case, and the compiler writes layout code for every case
    /// (storing and projecting each tag over every payload's spare bits): on kubernaut's
    /// 94-case `event_data` union that was an eighth of the target's object code. Boxed, it
    /// is one pointer wide and a copy is a retain.
    private static func addIndirection(_ declaration: Declaration, prefix: TypeName?, index: [TypeName: Declaration], cyclic: Set<TypeName>) -> Declaration {
        let qualified = prefix?.nested(declaration.name) ?? TypeName(declaration.name)
        switch declaration {
        case .oneOf(var union):
            let structureCases = union.cases.filter { item in
                if case .structure? = target(of: item.type, index: index)?.declaration { return true }
                return false
            }
            union.isIndirect = cyclic.contains(qualified) || (!union.keepsEveryMatch && structureCases.count > 1)
            union.nestedTypes = union.nestedTypes.map { addIndirection($0, prefix: qualified, index: index, cyclic: cyclic) }
            return .oneOf(union)
        case .structure(var structure):
            structure.nestedTypes = structure.nestedTypes.map { addIndirection($0, prefix: qualified, index: index, cyclic: cyclic) }
            guard cyclic.contains(qualified) else { return .structure(structure) }
            for position in structure.properties.indices {
                guard let member = target(of: structure.properties[position].type, index: index) else { continue }
                if case .structure = member.declaration, cyclic.contains(member.name), reaches(member.name, qualified, index: index) {
                    structure.properties[position].isBoxed = true
                }
            }
            return .structure(structure)
        default:
            return declaration
        }
    }

    /// Whether `from` contains `to` by value through structs only (unions are indirect).
    private static func reaches(_ from: TypeName, _ to: TypeName, index: [TypeName: Declaration]) -> Bool {
        var stack = [from]
        var seen: Set<TypeName> = []
        while let name = stack.popLast() {
            if name == to { return true }
            guard seen.insert(name).inserted, case .structure(let structure)? = index[name] else { continue }
            stack += structure.properties.compactMap { target(of: $0.type, index: index)?.name }
        }
        return false
    }
}
