@main enum FuzzMain { static func main() {} }
