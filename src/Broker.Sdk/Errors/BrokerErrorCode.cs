namespace Broker.Errors;

/// <summary>
/// Broker's error codes (<c>ec</c>), numbered as in Broker 2.3 and later. Numbers differ between Broker
/// versions and Zeek's script enum: exchange names (<see cref="BrokerErrorCodes.Name"/>), not numbers.
/// </summary>
public enum BrokerErrorCode : byte
{
    /// <summary>Not an error.</summary>
    None = 0,
    /// <summary>Catch-all.</summary>
    Unspecified = 1,
    /// <summary>Protocol version mismatch.</summary>
    PeerIncompatible = 2,
    /// <summary>The referenced peer does not exist.</summary>
    PeerInvalid = 3,
    /// <summary>Could not connect to a peer (reported on every failed retry).</summary>
    PeerUnavailable = 4,
    /// <summary>The remote side closed the connection during the handshake.</summary>
    PeerDisconnectDuringHandshake = 5,
    /// <summary>A peering request timed out.</summary>
    PeerTimeout = 6,
    /// <summary>A master with this name exists already.</summary>
    MasterExists = 7,
    /// <summary>No master was found for a clone or frontend.</summary>
    NoSuchMaster = 8,
    /// <summary>The key (or index) does not exist.</summary>
    NoSuchKey = 9,
    /// <summary>A store request timed out.</summary>
    RequestTimeout = 10,
    /// <summary>The operation expects a different type.</summary>
    TypeClash = 11,
    /// <summary>The value cannot be used.</summary>
    InvalidData = 12,
    /// <summary>The storage backend failed.</summary>
    BackendFailure = 13,
    /// <summary>A clone is not (yet, or any more) synchronized.</summary>
    StaleData = 14,
    /// <summary>A file could not be opened.</summary>
    CannotOpenFile = 15,
    /// <summary>A file could not be written.</summary>
    CannotWriteFile = 16,
    /// <summary>Invalid topic key.</summary>
    InvalidTopicKey = 17,
    /// <summary>End of file.</summary>
    EndOfFile = 18,
    /// <summary>Unknown type tag.</summary>
    InvalidTag = 19,
    /// <summary>A malformed message.</summary>
    InvalidMessage = 20,
    /// <summary>An invalid status was deserialized.</summary>
    InvalidStatus = 21,
    /// <summary>A conversion failed.</summary>
    ConversionFailed = 22,
    /// <summary>A consumer exists already.</summary>
    ConsumerExists = 23,
    /// <summary>A connection timed out.</summary>
    ConnectionTimeout = 24,
    /// <summary>A member function was called in the wrong state.</summary>
    BadMemberFunctionCall = 25,
    /// <summary>A request id was repeated.</summary>
    RepeatedRequestId = 26,
    /// <summary>A clone lost a message from its master.</summary>
    BrokenClone = 27,
    /// <summary>The endpoint is shutting down.</summary>
    ShuttingDown = 28,
    /// <summary>An invalid peering request.</summary>
    InvalidPeeringRequest = 29,
    /// <summary>A repeated peering handshake request.</summary>
    RepeatedPeeringHandshakeRequest = 30,
    /// <summary>An unexpected handshake message.</summary>
    UnexpectedHandshakeMessage = 31,
    /// <summary>An invalid handshake state.</summary>
    InvalidHandshakeState = 32,
    /// <summary>No path to the peer.</summary>
    NoPathToPeer = 33,
    /// <summary>No connector is available.</summary>
    NoConnectorAvailable = 34,
    /// <summary>A resource could not be opened.</summary>
    CannotOpenResource = 35,
    /// <summary>Serialization failed.</summary>
    SerializationFailed = 36,
    /// <summary>Deserialization failed (malformed bytes or JSON).</summary>
    DeserializationFailed = 37,
    /// <summary>The handshake magic number was not "ZEEK".</summary>
    WrongMagicNumber = 38,
    /// <summary>A duplicate connection was dropped in the handshake.</summary>
    RedundantConnection = 39,
    /// <summary>A logic error.</summary>
    LogicError = 40,
    /// <summary>Invalid JSON.</summary>
    InvalidJson = 41,
}

/// <summary>Names of <see cref="BrokerErrorCode"/> values as Broker writes them (snake_case).</summary>
public static class BrokerErrorCodes
{
    private static readonly string[] Names =
    [
        "none", "unspecified", "peer_incompatible", "peer_invalid", "peer_unavailable",
        "peer_disconnect_during_handshake", "peer_timeout", "master_exists", "no_such_master", "no_such_key",
        "request_timeout", "type_clash", "invalid_data", "backend_failure", "stale_data", "cannot_open_file",
        "cannot_write_file", "invalid_topic_key", "end_of_file", "invalid_tag", "invalid_message", "invalid_status",
        "conversion_failed", "consumer_exists", "connection_timeout", "bad_member_function_call",
        "repeated_request_id", "broken_clone", "shutting_down", "invalid_peering_request",
        "repeated_peering_handshake_request", "unexpected_handshake_message", "invalid_handshake_state",
        "no_path_to_peer", "no_connector_available", "cannot_open_resource", "serialization_failed",
        "deserialization_failed", "wrong_magic_number", "redundant_connection", "logic_error", "invalid_json",
    ];

    /// <summary>Broker's name for a code, e.g. <c>type_clash</c>.</summary>
    /// <param name="code">The code.</param>
    /// <returns>The name.</returns>
    public static string Name(this BrokerErrorCode code) =>
        (int)code < Names.Length ? Names[(int)code] : "unspecified";

    /// <summary>Looks a code up by Broker's name.</summary>
    /// <param name="name">The name.</param>
    /// <param name="code">The code.</param>
    /// <returns>True when the name is known.</returns>
    public static bool TryParse(string name, out BrokerErrorCode code)
    {
        int index = Array.IndexOf(Names, name);
        code = index < 0 ? BrokerErrorCode.Unspecified : (BrokerErrorCode)index;
        return index >= 0;
    }
}
