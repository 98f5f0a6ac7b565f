namespace Perplex.Text;

/// <summary>One decoded line of a text file, with where it came from (for error messages).</summary>
/// <param name="Number">1-based line number.</param>
/// <param name="ByteOffset">Byte offset of the line's first byte in the file.</param>
/// <param name="Text">The line without its terminator (LF or CRLF).</param>
public readonly record struct TextLine(long Number, long ByteOffset, string Text);
