import Foundation
import OpenAPICodegen
import Testing
import TestSupport

extension ConsumerBuilds {
    /// Builds a consumer package made exactly as the README's recipe says, then changes it the
    /// way an application's developers would.
    @Suite("Build plugin in a consumer package")
    struct PluginTests {
        /// The spec the recipe's `openapi-codegen.yaml` points at; `Pet` lives in another file.
        static let serviceSpec = """
            openapi: 3.0.3
            info: {title: My service, version: '1'}
            security:
              - token: []
            paths:
              /things:
                get:
                  operationId: listThings
                  security: []
                  responses:
                    '200':
                      description: all of them
                      content:
                        application/json:
                          schema: {type: array, items: {$ref: './shared/pet.yaml'}}
                post:
                  operationId: createThing
                  requestBody:
                    content:
                      application/json:
                        schema: {$ref: '#/components/schemas/Pet'}
                  responses:
                    '201': {description: created}
            components:
              securitySchemes:
                token: {type: http, scheme: bearer}
              schemas:
                Pet:
                  $ref: './shared/pet.yaml'
            """

        static func pet(field: String) -> String {
            "type: object\nrequired: [\(field)]\nproperties:\n  \(field): {type: string}\n"
        }

        /// The README's code block that follows the paragraph naming `label` (a file path, or
        /// the words before the colon).
        static func readmeBlock(after label: String) throws -> String {
            let readme = try String(contentsOf: TestPaths.packageRoot.appending(path: "README.md"), encoding: .utf8)
            guard let labelRange = readme.range(of: label),
                let open = readme.range(of: "```", range: labelRange.upperBound..<readme.endIndex),
                let lineEnd = readme.range(of: "\n", range: open.upperBound..<readme.endIndex),
                let close = readme.range(of: "\n```", range: lineEnd.upperBound..<readme.endIndex)
            else { throw RecipeMissing(label: label) }
            return String(readme[lineEnd.upperBound..<close.lowerBound]) + "\n"
        }

        struct RecipeMissing: Error { var label: String }

        /// The paragraphs whose Swift blocks these consumer builds compile.
        static let manifestLabel = "A client target is three small files"
        static let exportsLabel = "`Sources/MyServiceClient/Exports.swift`:"
        static let serverLabel = "`Sources/MyServer/Things.swift`:"
        static let compiledSwiftLabels = [manifestLabel, exportsLabel, serverLabel]

        /// A fresh folder for a consumer package, with a link to this checkout beside it. The recipe
        /// names the package by its URL, whose identity is `swift-audit`; a link of that name lets
        /// the local checkout stand in for it whatever its folder is called.
        static func scratchWithPackageLink() throws -> (scratch: URL, link: URL) {
            let scratch = try TestPaths.temporaryDirectory()
            let link = scratch.appending(path: "swift-audit")
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: TestPaths.packageRoot)
            return (scratch, link)
        }

        @Test("the README's recipe builds as written; it regenerates when a referenced file changes, not otherwise; a renamed field breaks the caller's build")
        func consumerBuild() async throws {
            let (scratch, link) = try Self.scratchWithPackageLink()
            defer { try? FileManager.default.removeItem(at: scratch) }
            let root = scratch.appending(path: "MyService")
            let target = root.appending(path: "Sources/MyServiceClient")
            let shared = root.appending(path: "openapi/shared")
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)

            let manifest = try Self.readmeBlock(after: Self.manifestLabel)
            let dependency = #".package(url: "https://github.com/<owner>/swift-audit.git", branch: "main")"#
            #expect(manifest.contains(dependency))
            try manifest.replacingOccurrences(of: dependency, with: ".package(path: \"\(link.path)\")")
                .write(to: root.appending(path: "Package.swift"), atomically: true, encoding: .utf8)
            try Self.readmeBlock(after: "`Sources/MyServiceClient/openapi-codegen.yaml`:")
                .write(to: target.appending(path: "openapi-codegen.yaml"), atomically: true, encoding: .utf8)
            try Self.readmeBlock(after: Self.exportsLabel)
                .write(to: target.appending(path: "Exports.swift"), atomically: true, encoding: .utf8)
            try Self.serviceSpec.write(to: root.appending(path: "openapi/my-service.yaml"), atomically: true, encoding: .utf8)
            try Self.pet(field: "name").write(to: shared.appending(path: "pet.yaml"), atomically: true, encoding: .utf8)

            func build() async throws -> ProcessResult {
                try await ConsumerBuilds.build(root, ["--target", "MyServiceClient"])
            }
            let first = try await build()
            #expect(first.status == 0, "\(first.standardOutput)\n\(first.standardError)")
            #expect(first.standardOutput.contains("Generating Swift from my-service.yaml for MyServiceClient"))
            // What SwiftPM compiles: the target's own file, then the plugin's outputs, which must be
            // the generator's files in the order FileLayout's batching relies on.
            let compiled = try String(contentsOf: ConsumerBuilds.productsDirectory.appending(path: "MyServiceClient.build/sources"), encoding: .utf8)
                .split(separator: "\n").map { URL(fileURLWithPath: String($0)).lastPathComponent }
            #expect(compiled == ["Exports.swift"] + FileLayout.fileNames)

            // A file of the application's own that uses generated types.
            try "public func label(_ pet: Pet) -> String { pet.name }\n".write(to: target.appending(path: "Use.swift"), atomically: true, encoding: .utf8)
            let withUse = try await build()
            #expect(withUse.status == 0, "\(withUse.standardOutput)\n\(withUse.standardError)")
            // SwiftPM relinks a plugin's tool on the first rebuild, which can rerun the command once;
            // the generator then rewrites no file. A further build must regenerate nothing.
            let unchanged = try await build()
            #expect(unchanged.status == 0)
            #expect(!unchanged.standardOutput.contains("Generating"), "no input changed, so nothing is regenerated")
            #expect(!unchanged.standardOutput.contains("Compiling MyServiceClient"))

            try Self.pet(field: "title").write(to: shared.appending(path: "pet.yaml"), atomically: true, encoding: .utf8)
            let renamed = try await build()
            #expect(renamed.status != 0)
            #expect(renamed.standardOutput.contains("Generating Swift from my-service.yaml"), "a referenced file is an input")
            #expect((renamed.standardOutput + renamed.standardError).contains("Use.swift:1:"), "the error points into the caller's own source")
            #expect((renamed.standardOutput + renamed.standardError).contains("has no member 'name'"))

            try Self.pet(field: "name").write(to: shared.appending(path: "pet.yaml"), atomically: true, encoding: .utf8)
            #expect(try await build().status == 0, "restoring the field builds again")
        }

        /// The consumer's own program: serves the README's `makeRouter` on loopback, then calls it
        /// with the client generated from the same contract in another target.
        static let serverMain = """
            import Foundation
            import Hummingbird
            import MyServiceClient

            struct RequireToken: RouterMiddleware {
                typealias Context = BasicRequestContext
                func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
                    guard request.headers[.authorization] == "Bearer secret" else { return Response(status: .unauthorized) }
                    return try await next(request, context)
                }
            }

            func check(_ condition: Bool, _ what: String) {
                if !condition { print("consumer server: FAILED: \\(what)"); exit(1) }
            }

            let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
            let app = Application(
                router: try makeRouter(authentication: RequireToken()), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { portContinuation.yield($0.localAddress?.port ?? 0) })
            let server = Task { try await app.runService() }
            let port = await ports.first { _ in true } ?? 0
            let url = URL(string: "http://127.0.0.1:\\(port)")!
            let anonymous = Client(serverURL: url, transport: URLSessionTransport())
            let listed = try await anonymous.listThings()
            guard case .ok(let pets) = listed else { check(false, "listThings: \\(listed)"); exit(1) }
            check(pets.map(\\.name) == ["Rex"], "listThings returned \\(pets)")
            let refused = try await anonymous.createThing(body: Pet(name: "Tom"))
            guard case .undocumented(401, _) = refused else { check(false, "createThing without a token: \\(refused)"); exit(1) }
            let authenticated = Client(serverURL: url, transport: URLSessionTransport(), middlewares: [BearerTokenMiddleware(token: "secret")])
            let created = try await authenticated.createThing(body: Pet(name: "Tom"))
            guard case .created = created else { check(false, "createThing: \\(created)"); exit(1) }
            let wrongMethod = try await URLSessionTransport().send(OpenAPICodegenRuntime.HTTPRequest(method: .delete, path: "/things"), serverURL: url, operationID: "raw")
            check(wrongMethod.statusCode == 405 && wrongMethod.headers["Allow"] == "GET, POST", "DELETE /things: \\(wrongMethod.statusCode)")
            print("consumer server: ok")
            server.cancel()
            """

        /// A `ClientTransport` over Foundation's URLSession, so that the consumer needs no HTTP client package.
        static let urlSessionTransport = """
            import Foundation
            #if canImport(FoundationNetworking)
            import FoundationNetworking
            #endif
            import OpenAPICodegenRuntime

            public struct URLSessionTransport: ClientTransport {
                public init() {}

                public func send(_ request: HTTPRequest, serverURL: URL, operationID: String) async throws -> HTTPResponse {
                    var urlRequest = URLRequest(url: request.url(relativeTo: serverURL)!)
                    urlRequest.httpMethod = request.method.rawValue
                    for field in request.headers { urlRequest.addValue(field.value, forHTTPHeaderField: field.name) }
                    urlRequest.httpBody = request.body
                    let (data, response) = try await URLSession.shared.data(for: urlRequest)
                    let http = response as! HTTPURLResponse
                    var headers = HTTPHeaders()
                    for (name, value) in http.allHeaderFields { headers.append(name: "\\(name)", value: "\\(value)") }
                    return HTTPResponse(statusCode: http.statusCode, headers: headers, body: data)
                }
            }
            """

        @Test("a server target with generate: [types, server] serves the README's code over Hummingbird; a client generated from the same contract calls it over loopback")
        func serverConsumer() async throws {
            let (scratch, link) = try Self.scratchWithPackageLink()
            defer { try? FileManager.default.removeItem(at: scratch) }
            let root = scratch.appending(path: "MyServer")
            let manifest = """
                // swift-tools-version: 6.1
                import PackageDescription

                let package = Package(
                    name: "MyServer",
                    platforms: [.macOS(.v15)],
                    dependencies: [
                        .package(path: "\(link.path)"),
                        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
                    ],
                    targets: [
                        .target(
                            name: "MyServiceAPI",
                            dependencies: [.product(name: "OpenAPICodegenRuntime", package: "swift-audit")],
                            exclude: ["openapi-codegen.yaml"],
                            plugins: [.plugin(name: "OpenAPICodegenPlugin", package: "swift-audit")]),
                        .target(
                            name: "MyServiceClient",
                            dependencies: [.product(name: "OpenAPICodegenRuntime", package: "swift-audit")],
                            exclude: ["openapi-codegen.yaml"],
                            plugins: [.plugin(name: "OpenAPICodegenPlugin", package: "swift-audit")]),
                        .executableTarget(
                            name: "MyServer",
                            dependencies: [
                                "MyServiceAPI", "MyServiceClient",
                                .product(name: "OpenAPICodegenHummingbird", package: "swift-audit"),
                                .product(name: "Hummingbird", package: "hummingbird"),
                            ]),
                    ],
                    swiftLanguageModes: [.v6]
                )
                """
            let exports = "@_exported import OpenAPICodegenRuntime\n"
            let files: [String: String] = [
                "Package.swift": manifest,
                "openapi/my-service.yaml": Self.serviceSpec,
                "openapi/shared/pet.yaml": Self.pet(field: "name"),
                "Sources/MyServiceAPI/openapi-codegen.yaml": "spec: ../../openapi/my-service.yaml\naccessModifier: public\ngenerate: [types, server]\n",
                "Sources/MyServiceAPI/Exports.swift": exports,
                "Sources/MyServiceClient/openapi-codegen.yaml": "spec: ../../openapi/my-service.yaml\naccessModifier: public\n",
                "Sources/MyServiceClient/Exports.swift": exports,
                "Sources/MyServiceClient/URLSessionTransport.swift": Self.urlSessionTransport,
                "Sources/MyServer/Things.swift": try Self.readmeBlock(after: Self.serverLabel),
                "Sources/MyServer/main.swift": Self.serverMain,
            ]
            for (path, contents) in files {
                let file = root.appending(path: path)
                try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try contents.write(to: file, atomically: true, encoding: .utf8)
            }
            let build = try await ConsumerBuilds.build(root, ["--product", "MyServer"])
            #expect(build.status == 0, "\(build.standardOutput)\n\(build.standardError)")
            guard build.status == 0 else { return }
            let run = try await runProcess(ConsumerBuilds.productsDirectory.appending(path: "MyServer").path, [])
            #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
            #expect(run.standardOutput.contains("consumer server: ok"))
        }
    }
}
