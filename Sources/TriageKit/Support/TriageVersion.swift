public enum TriageVersion {
    public static let string = "0.1.0"
}
