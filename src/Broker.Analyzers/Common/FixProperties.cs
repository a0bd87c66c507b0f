namespace Broker.Analyzers.Common
{
    /// <summary>Keys of the diagnostic properties the code fixes read (the analyzer computes the fix; the fixer only applies it).</summary>
    internal static class FixProperties
    {
        /// <summary>The new text of the string literal (or interpolated-string text) at the diagnostic's first additional location.</summary>
        public const string Replacement = "Replacement";

        /// <summary>For BRK0004: the name of a CancellationToken in scope to pass.</summary>
        public const string TokenName = "TokenName";
    }
}
