import DatumHTTP
import DatumJSON

/// Splits a watch response (one JSON event per line) into events as bytes arrive.
struct WatchEventDecoder {
    /// One `{"type": ..., "object": ...}` line.
    struct Event: Sendable, Equatable {
        var type: String
        var object: JSONValue
    }

    private var pending: [UInt8] = []

    /// The complete events in `chunk` (with what was left over from earlier chunks).
    mutating func feed(_ chunk: [UInt8]) throws(CLIError) -> [Event] {
        pending.append(contentsOf: chunk)
        var events: [Event] = []
        var start = 0
        while let newline = pending[start...].firstIndex(of: 0x0A) {
            let line = pending[start..<newline]
            start = newline + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            events.append(try Self.decode(Array(line)))
        }
        pending.removeFirst(start)
        return events
    }

    /// Whatever is left when the stream ends (a last line without a newline).
    mutating func finish() throws(CLIError) -> [Event] {
        defer { pending = [] }
        if pending.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 || $0 == 0x0A }) { return [] }
        return [try Self.decode(pending)]
    }

    static func decode(_ line: [UInt8]) throws(CLIError) -> Event {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw CLIError(.server, "the server sent an invalid watch event: \(error)")
        }
        guard let type = value["type"]?.stringValue, let object = value["object"] else {
            throw CLIError(.server, "the server sent an invalid watch event: missing type or object")
        }
        return Event(type: type, object: object)
    }
}

/// kubectl's table printer kept alive across a watch: headers once (again only when the columns
/// change), column widths remembered between events, each event's rows returned as soon as it
/// is printed.
struct StreamingTablePrinter {
    var options: TablePrintOptions
    private var writer = TabWriter.kubectlTable()
    private var printedHeaders = false
    private var lastColumns: [ServerTable.Column]?
    private var emitted = 0

    init(options: TablePrintOptions) {
        self.options = options
    }

    /// Prints one table (a list, or the one-row table of a watch event) and returns its text.
    mutating func print(_ table: ServerTable) -> String {
        var local = options
        var table = table
        if printedHeaders && (table.columns.isEmpty || table.columns == lastColumns) { local.noHeaders = true }
        if table.columns.isEmpty {
            // Watch events may leave the columns out to save bandwidth; the last ones apply.
            table.columns = lastColumns ?? []
        } else if table.columns != lastColumns {
            lastColumns = table.columns
            printedHeaders = false
        }
        if !table.rows.isEmpty { printedHeaders = true }
        TablePrinter.writeTable(TablePrinter.decorate(table, options: local), options: local, into: &writer)
        writer.flush()
        let all = writer.output.utf8
        let text = String(decoding: all.dropFirst(emitted), as: UTF8.self)
        emitted = all.count
        return text
    }
}

/// `get --watch` / `--watch-only`: print what exists (unless watch-only), then every change.
struct GetWatch {
    let command: GetCommand
    let session: ReadSession
    let context: CommandContext

    func run(_ targets: [ReadTarget]) throws(CLIError) -> ExitCode {
        if Set(targets.map(\.resource.qualifiedName)).count > 1 {
            throw CLIError.usage("you may only specify a single resource type", command: GetCommand.command)
        }
        guard targets.count == 1, let target = targets.first else {
            throw CLIError.usage(
                "you may only watch a single resource or type of resource at a time", command: GetCommand.command)
        }
        var printer = ObjectStreamPrinter(
            command: command, resource: target.resource,
            now: { [environment = context.environment] in environment.now().timeIntervalSince1970 })
        var resourceVersion = "0"
        // Printing starts with the listed objects; watch-only prints only changes. A watch of one
        // object starts with a synthetic ADDED event for it, which is not printed again.
        var printEvents = target.name == nil
        let pages: [JSONValue]
        switch session.fetch(
            [target], accept: command.accept, query: command.query(sorting: false), chunkSize: command.chunkSize
        )
        .first
        {
        case .success(let documents)?: pages = documents
        case .failure(let error)?:
            if command.ignoreNotFound && error.reason == "NotFound" { return .success }
            throw error
        case nil: return .success
        }
        if target.name == nil, let version = pages.last?["metadata"]?["resourceVersion"]?.stringValue,
            !version.isEmpty
        {
            resourceVersion = version
        }
        if !command.watchOnly {
            for page in pages { try printer.print(page, listed: target.name == nil, into: context.stdout) }
            context.stdout.flush()
        }

        var query = command.query(sorting: false)
        if let name = target.name {
            query = query.filter { $0.0 != "fieldSelector" } + [("fieldSelector", "metadata.name=\(name)")]
        }
        query += [("resourceVersion", resourceVersion), ("watch", "true")]
        let url = session.client.scope.url(
            try target.resource.collectionPath(namespace: target.namespace), query: query)
        let stdout = context.stdout
        let end = try session.watchStream(
            session.client.request("GET", url, accept: command.accept)
        ) { (event) throws(CLIError) -> Bool in
            if event.type == "ERROR" { throw APIError(status: event.object).cliError }
            if printEvents {
                try printer.print(event.object, listed: false, into: stdout)
                stdout.flush()
            }
            printEvents = true
            return true
        }
        // kubectl ends a watch quietly when the connection drops or --request-timeout expires
        // after it started; failing to start it at all is an error.
        if end.status == 0, let error = end.transportError { throw error }
        if end.status != 0 && !(200..<300).contains(end.status) {
            throw APIError(statusCode: end.status, body: end.errorBody).cliError
        }
        return .success
    }
}

/// How a watch stream ended.
struct WatchStreamEnd {
    /// The HTTP status; 0 when no answer came before the transfer failed.
    var status: Int
    /// The body of a non-2xx answer.
    var errorBody: [UInt8]
    /// Why the transfer itself failed (a dropped connection, the request timeout), if it did.
    var transportError: CLIError?
}

extension ReadSession {
    /// Streams the events of a watch request to `onEvent` until it returns false, the server ends
    /// the stream, or the transfer fails; BOOKMARK events are skipped. What `onEvent` throws, or a
    /// decoding error, is thrown once the stream has stopped.
    func watchStream(
        _ request: HTTPRequest, onEvent: (WatchEventDecoder.Event) throws(CLIError) -> Bool
    ) throws(CLIError) -> WatchStreamEnd {
        var decoder = WatchEventDecoder()
        var status = 0
        var errorBody: [UInt8] = []
        var failure: CLIError?
        var stopped = false
        func handle(_ events: [WatchEventDecoder.Event]) -> Bool {
            for event in events where event.type != "BOOKMARK" {
                do throws(CLIError) {
                    if try !onEvent(event) {
                        stopped = true
                        return false
                    }
                } catch {
                    failure = error
                    return false
                }
            }
            return true
        }
        var transportError: CLIError?
        do throws(CLIError) {
            try client.stream(
                request, onHead: { code, _ in status = code },
                onData: { chunk in
                    guard (200..<300).contains(status) else {
                        errorBody += chunk
                        return true
                    }
                    do throws(CLIError) {
                        return handle(try decoder.feed(chunk))
                    } catch {
                        failure = error
                        return false
                    }
                })
        } catch {
            transportError = error
        }
        if let failure { throw failure }
        if !stopped, (200..<300).contains(status), let rest = try? decoder.finish() { _ = handle(rest) }
        if let failure { throw failure }
        return WatchStreamEnd(status: status, errorBody: errorBody, transportError: transportError)
    }
}

/// Prints objects one at a time for `get --watch`: table rows, or `-o` documents (YAML
/// separated by `---`, as kubectl's YAML printer does after the first).
struct ObjectStreamPrinter {
    let command: GetCommand
    let resource: APIResource
    let now: @Sendable () -> Double
    private var table: StreamingTablePrinter
    private var printed = 0

    init(command: GetCommand, resource: APIResource, now: @escaping @Sendable () -> Double) {
        self.command = command
        self.resource = resource
        self.now = now
        table = StreamingTablePrinter(options: command.tableOptions(for: resource, withKind: command.showKind))
    }

    /// `listed` says the document is a list (or a table of one) whose items print one by one.
    mutating func print(_ document: JSONValue, listed: Bool, into sink: OutputSink) throws(CLIError) {
        if command.isTable {
            let parsed: ServerTable
            do {
                parsed = try ServerTable.parse(document, now: now())
            } catch {
                throw CLIError(.server, error.message)
            }
            sink.write(table.print(parsed))
            return
        }
        let objects = listed ? ObjectOutput.items(of: document) : [document]
        for object in objects {
            var value = object
            if !command.showManagedFields && (command.output == .yaml || command.output == .json) {
                value = ObjectOutput.withoutManagedFields(value)
            }
            if command.output == .yaml && printed > 0 { sink.write("---\n") }
            try ObjectOutput.write(
                value, format: command.output, command: GetCommand.command, allowMissingKeys: command.allowMissingKeys,
                to: sink)
            printed += 1
        }
    }
}

extension APIError {
    /// A `Status` object found inside a watch stream's ERROR event.
    init(status: JSONValue) {
        let code = Int(status["code"]?.intValue ?? 500)
        self.init(
            code: code, reason: status["reason"]?.stringValue ?? APIError.genericReason(code),
            message: status["message"]?.stringValue ?? APIError.genericMessage(code))
    }

    /// A failed response whose body arrived in pieces (a watch that did not start).
    init(statusCode: Int, body: [UInt8]) {
        self.init(
            response: HTTPResponse(
                status: statusCode, statusText: "", headers: [:], body: body, httpVersion: "", duration: .zero,
                attempts: 1))
    }
}
