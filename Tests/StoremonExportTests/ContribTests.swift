import Foundation
import StoremonCore
import Testing

@Suite("contrib: scrape config, alert rules, systemd unit")
struct ContribTests {
    @Test("promtool check config and check rules accept contrib/")
    func checkConfigAndRules() throws {
        let dir = try ExportSupport.temporaryDirectory("contrib")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let contrib = ExportSupport.contrib
        let config = try PrometheusTools.promtool(["check", "config", contrib + "/prometheus.yml"], directory: dir)
        #expect(config.status == 0, "\(config.output)")
        #expect(config.output.contains("SUCCESS: 1 rule files found"), "\(config.output)")
        let rules = try PrometheusTools.promtool(["check", "rules", contrib + "/storemon-alerts.yml"], directory: dir)
        #expect(rules.status == 0, "\(rules.output)")
        #expect(rules.output.contains("SUCCESS: 4 rules found"), "\(rules.output)")
    }

    @Test("the four alerts fire, and only, when they should (promtool test rules)")
    func alertsFire() throws {
        let dir = try ExportSupport.temporaryDirectory("alerts")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try PrometheusTools.promtool(["test", "rules", ExportSupport.contrib + "/storemon-alerts.test.yml"], directory: dir)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("SUCCESS"))
        let alerts = try String(contentsOfFile: ExportSupport.contrib + "/storemon-alerts.yml", encoding: .utf8)
        for name in ["EximQueueGrowing", "EximFrozenMessages", "EximLogSilent", "EximDaemonDown"] { #expect(alerts.contains("alert: \(name)")) }
    }

    @Test("the systemd unit passes systemd-analyze verify (where systemd is installed)",
          .enabled(if: ExportSupport.which("systemd-analyze") != nil, "systemd-analyze is not installed"))
    func systemdUnit() throws {
        let dir = try ExportSupport.temporaryDirectory("unit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The unit names /usr/local/bin/storemon; verify it against the binary just built.
        let unit = try String(contentsOfFile: ExportSupport.contrib + "/storemon-export.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/storemon export "))
        let copy = dir + "/storemon-export.service"
        try unit.replacingOccurrences(of: "/usr/local/bin/storemon", with: ExportSupport.storemon)
            .write(toFile: copy, atomically: true, encoding: .utf8)
        let child = try ExportSupport.start([ExportSupport.which("systemd-analyze")!, "verify", copy], directory: dir)
        #expect(child.wait(timeout: 60)?.code == 0, "\(child.stdout)\(child.stderr)")
        // and the command line in it parses
        let help = try ExportSupport.start([ExportSupport.storemon, "export", "--help"], directory: dir)
        #expect(help.wait(timeout: 20)?.code == 0)
        #expect(help.stdout.contains("--textfile"))
    }
}
