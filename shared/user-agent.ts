/**
 * The browser and the operating system a User-Agent names, for the name a paired device gets in
 * the device list (the extension's options page: "Chrome on macOS"). Null for what it doesn't
 * recognise; each caller words that itself.
 */
export function browserAndSystem(userAgent: string): { browser: string | null; os: string | null } {
  // Order matters: Edge and Opera also say Chrome, Chrome also says Safari; Android also says
  // Linux, and iOS says "like Mac OS X".
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /OPR\//.test(userAgent)
        ? 'Opera'
        : /Chrom(e|ium)\//.test(userAgent)
          ? 'Chrome'
          : /Safari\//.test(userAgent)
            ? 'Safari'
            : null;
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /(iPhone|iPad)/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /CrOS/.test(userAgent)
          ? 'ChromeOS'
          : /Mac OS X|Macintosh/.test(userAgent)
            ? 'macOS'
            : /Linux/.test(userAgent)
              ? 'Linux'
              : null;
  return { browser, os };
}
