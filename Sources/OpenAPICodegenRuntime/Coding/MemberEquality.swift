/// Whether two members of a generated model are equal: what a generated `==` calls once
/// per stored property.
///
/// One generic function, where `==` offers the type checker well over a hundred overloads
/// to choose from for every member. On the kubernaut spec the `==` the compiler derives
/// was a third of a model file's type-checking time; written out with this function, a
/// 30-member model's `==` checks in a sixth of the time (README, "Benchmarks": where the
/// compile time went).
@inlinable
public func membersEqual<Value: Equatable>(_ lhs: Value, _ rhs: Value) -> Bool {
    lhs == rhs
}
