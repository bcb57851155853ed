namespace ClawSec.Core.Detection;

/// <summary>Which way a message travels: outbound is agent → internet, inbound is internet → agent.</summary>
public enum Direction
{
    Outbound,
    Inbound,
}

/// <summary>The directions a rule applies to.</summary>
[Flags]
public enum Directions
{
    Outbound = 1,
    Inbound = 2,
    Both = Outbound | Inbound,
}
