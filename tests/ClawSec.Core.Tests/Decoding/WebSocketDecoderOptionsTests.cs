using ClawSec.Core.Decoding;
using ClawSec.Core.Detection;

namespace ClawSec.Core.Tests.Decoding;

public sealed class WebSocketDecoderOptionsTests
{
    [Fact]
    public void Defaults_are_no_extension_and_a_sixteen_mebibyte_cap()
    {
        var options = new WebSocketDecoderOptions();

        Assert.False(options.PerMessageDeflate);
        Assert.False(options.NoContextTakeover);
        Assert.Equal(16 * 1024 * 1024, options.MaxDecompressedMessageBytes);
    }

    [Fact]
    public void Negative_cap_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebSocketDecoderOptions { MaxDecompressedMessageBytes = -1 });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("x-webkit-deflate-frame")]
    [InlineData("permessage-deflate-ish")]
    public void Without_permessage_deflate_in_the_response_nothing_is_compressed(string? header)
    {
        Assert.False(WebSocketDecoderOptions.FromNegotiatedExtensions(header, Direction.Inbound).PerMessageDeflate);
        Assert.False(WebSocketDecoderOptions.FromNegotiatedExtensions(header, Direction.Outbound).PerMessageDeflate);
    }

    [Theory]
    [InlineData("permessage-deflate", false, false)]
    [InlineData("permessage-deflate; server_no_context_takeover", true, false)]
    [InlineData("permessage-deflate; client_no_context_takeover", false, true)]
    [InlineData("Permessage-Deflate;Client_No_Context_Takeover;SERVER_NO_CONTEXT_TAKEOVER", true, true)]
    [InlineData("permessage-deflate; client_max_window_bits=10; server_max_window_bits=\"12\"", false, false)]
    [InlineData("x-other, permessage-deflate ; client_no_context_takeover", false, true)]
    public void Context_takeover_is_read_per_direction(string header, bool inboundReset, bool outboundReset)
    {
        var inbound = WebSocketDecoderOptions.FromNegotiatedExtensions(header, Direction.Inbound);
        var outbound = WebSocketDecoderOptions.FromNegotiatedExtensions(header, Direction.Outbound);

        Assert.True(inbound.PerMessageDeflate);
        Assert.True(outbound.PerMessageDeflate);
        Assert.Equal(inboundReset, inbound.NoContextTakeover);
        Assert.Equal(outboundReset, outbound.NoContextTakeover);
    }
}
