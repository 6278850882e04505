/// Every failure IncidentKit reports. Each case renders one sentence a person can act on.
public enum IncidentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The request names something the runbook does not have (exit 2 at the CLI).
    case unknownName(category: String, name: String, known: [String])
    /// A value on the command line is malformed (exit 2).
    case invalidInput(String)
    /// No incident has this ID (or the ID is malformed).
    case notFound(String)
    /// The request is understood but the incident's state refuses it (gate, transition).
    case refused(String)
    /// A file in the store cannot be used.
    case corrupt(path: String, reason: String)
    /// The store itself cannot be used (permissions, symlinks, disk).
    case storage(String)
    /// Another process holds the store's lock for too long.
    case lockTimeout(path: String, seconds: Double)
    /// A runbook document is invalid.
    case invalidRunbook(origin: String, reason: String)
    /// A template cannot be rendered.
    case template(String)

    public var description: String {
        switch self {
        case let .unknownName(category, name, known):
            let list = known.prefix(20).joined(separator: ", ")
            if known.isEmpty { return "Unknown \(category) '\(name)'; this runbook defines none." }
            let plural = category == "severity" ? "severity levels" : category + "s"
            return "Unknown \(category) '\(name)'; the \(plural) here are: \(list)."
        case let .invalidInput(message), let .refused(message), let .storage(message), let .template(message):
            return message
        case let .notFound(message):
            return message
        case let .corrupt(path, reason):
            return "\(path) is unreadable: \(reason). Run 'incident doctor' for how to repair it."
        case let .lockTimeout(path, seconds):
            return "Timed out after \(formatSeconds(seconds)) waiting for the store lock \(path); another incident command is still running (raise INCIDENT_LOCK_TIMEOUT to wait longer)."
        case let .invalidRunbook(origin, reason):
            return "Runbook \(origin) is invalid: \(reason)."
        }
    }
}

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? "\(Int(s))s" : "\(s)s"
}
