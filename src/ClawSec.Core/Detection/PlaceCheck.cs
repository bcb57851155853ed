namespace ClawSec.Core.Detection;

/// <summary>
/// A quick test that a rule's match may start at <paramref name="position"/> of <paramref name="input"/> (the text its
/// regex is given there): false only where the regex cannot match. It lets a rule whose regex would read far before
/// failing (a command up to a pipe that never comes) skip most places in ordinary prose at the cost of one search.
/// </summary>
internal delegate bool PlaceCheck(ReadOnlySpan<char> input, int position);
