using System.Security.Cryptography.X509Certificates;

namespace Broker;

/// <summary>
/// TLS for native peering, with Broker's options (<c>openssl_certificate</c>, <c>openssl_key</c>,
/// <c>openssl_passphrase</c>, <c>openssl_cafile</c>, <c>openssl_capath</c>). As in Broker, setting any of them turns on
/// mutual authentication: both sides present a certificate and verify the other's chain against the configured CAs
/// (no host-name check, as Broker). Broker's certificate-less default (anonymous ECDH) is not available through .NET's
/// <see cref="System.Net.Security.SslStream"/>; see docs/tls.md.
/// </summary>
public sealed record BrokerTlsOptions
{
    /// <summary>PEM file with this endpoint's certificate (optionally followed by intermediates).</summary>
    public string? CertificateFile { get; init; }

    /// <summary>PEM file with the private key; defaults to <see cref="CertificateFile"/> when that holds the key too.</summary>
    public string? KeyFile { get; init; }

    /// <summary>Passphrase of an encrypted private key.</summary>
    public string? Passphrase { get; init; }

    /// <summary>PEM file with the trusted CA certificates.</summary>
    public string? CaFile { get; init; }

    /// <summary>Directory of PEM CA certificates (every readable certificate file in it is trusted).</summary>
    public string? CaPath { get; init; }

    /// <summary>An in-memory certificate with its private key (instead of <see cref="CertificateFile"/>).</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>In-memory trusted CA certificates (in addition to <see cref="CaFile"/> and <see cref="CaPath"/>).</summary>
    public X509Certificate2Collection? TrustedCertificates { get; init; }

    /// <summary>True when any option is set, i.e. when peering uses mutual TLS.</summary>
    public bool IsEnabled =>
        CertificateFile is not null || KeyFile is not null || Passphrase is not null || CaFile is not null || CaPath is not null ||
        Certificate is not null || TrustedCertificates is not null;
}
