import CNcurses
import StoremonCore

/// The action keys on a queued message (eximon's queue menu).
enum ActionKey: Character, CaseIterable, Sendable {
    /// `f`: freeze (`-Mf`).
    case freeze = "f"
    /// `t`: thaw (`-Mt`).
    case thaw = "t"
    /// `d`: deliver now (`-v -M`), output streamed into a pane.
    case deliver = "d"
    /// `g`: give up (`-Mg`, a bounce is sent).
    case giveUp = "g"
    /// `x`: remove (`-Mrm`, no bounce).
    case remove = "x"
    /// `a`: add a recipient (`-Mar`, prompts for the address).
    case addRecipient = "a"
    /// `m`: mark a recipient delivered (`-Mmd`, prompts for the address).
    case markDelivered = "m"

    /// The action, for those that take no address (nil for `a` and `m`).
    var action: EximAction? {
        switch self {
        case .freeze: return .freeze
        case .thaw: return .thaw
        case .deliver: return .deliver
        case .giveUp: return .giveUp
        case .remove: return .remove
        case .addRecipient, .markDelivered: return nil
        }
    }
}

extension KeyMap {
    /// The operations keys of the main screen: Enter opens the selected message, the action
    /// keys, `c` pools, `z` zoom, `s` charts, `w` processes, `D` date, `I` pid, Left/Right.
    static func operationAction(for key: Int32) -> KeyAction {
        switch key {
        case 10, 13, KEY_ENTER: return .openMessage
        case Int32(UInt8(ascii: "c")): return .cyclePools
        case Int32(UInt8(ascii: "z")): return .toggleZoom
        case Int32(UInt8(ascii: "s")): return .toggleCharts
        case Int32(UInt8(ascii: "w")): return .toggleProcesses
        case Int32(UInt8(ascii: "D")): return .toggleDate
        case Int32(UInt8(ascii: "I")): return .togglePid
        case KEY_LEFT, Int32(UInt8(ascii: "<")): return .scrollColumns(-8)
        case KEY_RIGHT, Int32(UInt8(ascii: ">")): return .scrollColumns(8)
        default:
            if key > 0, key < 128, let a = ActionKey(rawValue: Character(Unicode.Scalar(UInt8(key)))) { return .act(a) }
            return .none
        }
    }

    /// What a key does in the message overlay.
    enum OverlayKey: Equatable {
        /// Esc (or `q`): close the overlay.
        case close
        /// `b`: body / back.
        case body
        /// `l`: message log / back.
        case messageLog
        /// An action key on the shown message.
        case act(ActionKey)
        /// Scrolling, as on the main screen.
        case scroll(KeyAction)
        /// Nothing.
        case none
    }

    /// The overlay's keys.
    static func overlayKey(_ key: Int32) -> OverlayKey {
        switch key {
        case escape, Int32(UInt8(ascii: "q")): return .close
        case Int32(UInt8(ascii: "b")): return .body
        case Int32(UInt8(ascii: "l")): return .messageLog
        case KEY_UP, Int32(UInt8(ascii: "k")): return .scroll(.scrollLines(-1))
        case KEY_DOWN, Int32(UInt8(ascii: "j")): return .scroll(.scrollLines(1))
        case KEY_PPAGE: return .scroll(.scrollPage(-1))
        case KEY_NPAGE, Int32(UInt8(ascii: " ")): return .scroll(.scrollPage(1))
        case KEY_HOME: return .scroll(.scrollHome)
        case KEY_END: return .scroll(.scrollEnd)
        case KEY_LEFT, Int32(UInt8(ascii: "<")): return .scroll(.scrollColumns(-8))
        case KEY_RIGHT, Int32(UInt8(ascii: ">")): return .scroll(.scrollColumns(8))
        default:
            if key > 0, key < 128, let a = ActionKey(rawValue: Character(Unicode.Scalar(UInt8(key)))) { return .act(a) }
            return .none
        }
    }

    /// The answer typed at a `y`/`n` question: true yes, false no, nil not an answer.
    static func answer(_ key: Int32) -> Bool? {
        switch key {
        case Int32(UInt8(ascii: "y")), Int32(UInt8(ascii: "Y")): return true
        case Int32(UInt8(ascii: "n")), Int32(UInt8(ascii: "N")), escape: return false
        default: return nil
        }
    }
}
