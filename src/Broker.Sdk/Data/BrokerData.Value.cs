using Broker.Serialization;

namespace Broker.Data;

/// <content>A <see cref="BrokerData"/> is the general <see cref="IBrokerValue"/>: publishing any value takes one path.</content>
public readonly partial struct BrokerData : IBrokerValue
{
    /// <inheritdoc/>
    void IBrokerValue.WriteTo(ref BrokerWriter writer) => writer.Write(this);

    /// <inheritdoc/>
    BrokerData IBrokerValue.ToBrokerData() => this;
}
