using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Broker.Errors;

namespace Broker.Tls;

/// <summary>
/// Loads <see cref="BrokerTlsOptions"/> once per endpoint and authenticates peer streams: mutual TLS, the peer's chain
/// verified against the configured CAs only (custom root trust, no revocation or host-name check, as Broker/OpenSSL).
/// </summary>
internal sealed class PeerTls
{
    private readonly SslStreamCertificateContext? _context;
    private readonly X509Certificate2Collection _roots = new();

    private PeerTls(BrokerTlsOptions options)
    {
        var certificate = options.Certificate ?? LoadCertificate(options);
        if (certificate is not null)
        {
            _context = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
        }

        if (options.TrustedCertificates is not null)
        {
            _roots.AddRange(options.TrustedCertificates);
        }

        if (options.CaFile is not null)
        {
            _roots.ImportFromPemFile(options.CaFile);
        }

        if (options.CaPath is not null)
        {
            foreach (var file in Directory.EnumerateFiles(options.CaPath))
            {
                try
                {
                    _roots.ImportFromPemFile(file);
                }
                catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
                {
                    // Not a certificate (CA directories also hold CRLs and hash links to the same files).
                }
            }
        }
    }

    /// <summary>Null when TLS is off; throws a <see cref="BrokerException"/> when files cannot be loaded.</summary>
    public static PeerTls? Create(BrokerTlsOptions? options)
    {
        if (options is null || !options.IsEnabled)
        {
            return null;
        }

        try
        {
            return new PeerTls(options);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new BrokerException(BrokerErrorCode.CannotOpenFile, $"cannot load the TLS configuration: {e.Message}", e);
        }
    }

    private static X509Certificate2? LoadCertificate(BrokerTlsOptions options)
    {
        if (options.CertificateFile is null)
        {
            return null;
        }

        var keyFile = options.KeyFile ?? options.CertificateFile;
        var cert = options.Passphrase is null
            ? X509Certificate2.CreateFromPemFile(options.CertificateFile, keyFile)
            : X509Certificate2.CreateFromEncryptedPemFile(options.CertificateFile, options.Passphrase, keyFile);
        return cert;
    }

    /// <summary>Runs the TLS handshake on <paramref name="inner"/>; the caller owns the returned stream.</summary>
    public async Task<SslStream> AuthenticateAsync(Stream inner, bool asServer, string host, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            if (asServer)
            {
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = _context,
                    ClientCertificateRequired = true,
                    RemoteCertificateValidationCallback = Verify,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = host,
                    ClientCertificateContext = _context,
                    RemoteCertificateValidationCallback = Verify,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                }, cancellationToken).ConfigureAwait(false);
            }

            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private bool Verify(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        // SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT: a certificate is required and must chain to our CAs.
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            // Intermediates the peer sent along.
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return _roots.Count > 0 && certificate is X509Certificate2 c2 && custom.Build(c2);
    }
}
