import CZlib

public enum ZlibLibrary {
    public static var version: String { String(cString: zlibVersion()) }
}
