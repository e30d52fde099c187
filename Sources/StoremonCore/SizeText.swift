/// Sizes as Exim prints them (`string_format_size`): 5 columns, `  466`, ` 1.7K`,
/// ` 147K`, ` 3.4M`, `  15M`, ` 1.2G`.
public enum SizeText {
    /// The size in Exim's 5-column form. Exim prints 0 as five spaces (`blankZero`, as in
    /// `exim -bp`); pool figures want the digit.
    public static func format(_ size: Int, blankZero: Bool = false) -> String {
        let s = max(0, size)
        let text: String
        if s == 0 && blankZero {
            text = ""
        } else if s < 1024 {
            text = String(s)
        } else if s < 10 * 1024 {
            text = tenths(s, 1024) + "K"
        } else if s < 1024 * 1024 {
            text = String((s + 512) / 1024) + "K"
        } else if s < 10 * 1024 * 1024 {
            text = tenths(s, 1024 * 1024) + "M"
        } else if s < 1024 * 1024 * 1024 {
            text = String((s + 512 * 1024) / (1024 * 1024)) + "M"
        } else {
            text = tenths(s, 1024 * 1024 * 1024) + "G"
        }
        return text.count >= 5 ? text : String(repeating: " ", count: 5 - text.count) + text
    }

    private static func tenths(_ s: Int, _ unit: Int) -> String {
        let t = (s * 10 + unit / 2) / unit
        return "\(t / 10).\(t % 10)"
    }
}
