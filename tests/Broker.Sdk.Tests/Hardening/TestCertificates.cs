using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Broker.Sdk.Tests.Hardening;

/// <summary>A throw-away CA and leaf certificates written as PEM files, the way operators configure Broker.</summary>
internal sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificates(string name = "Test CA")
    {
        Directory = Path.Combine(Path.GetTempPath(), "broker-tls-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        CaFile = Path.Combine(Directory, "ca.pem");
        File.WriteAllText(CaFile, Ca.ExportCertificatePem());
        CaPath = Path.Combine(Directory, "cadir");
        System.IO.Directory.CreateDirectory(CaPath);
        File.WriteAllText(Path.Combine(CaPath, "ca.pem"), Ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(CaPath, "README"), "not a certificate");
    }

    public string Directory { get; }

    public X509Certificate2 Ca { get; }

    public string CaFile { get; }

    public string CaPath { get; }

    /// <summary>Issues a leaf and writes cert and key PEM files (the key encrypted when a passphrase is given).</summary>
    public (string CertFile, string KeyFile) Issue(string name, string? passphrase = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(8);
        using var cert = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7), serial);
        string certFile = Path.Combine(Directory, name + ".crt");
        string keyFile = Path.Combine(Directory, name + ".key");
        File.WriteAllText(certFile, cert.ExportCertificatePem());
        File.WriteAllText(keyFile, passphrase is null
            ? key.ExportPkcs8PrivateKeyPem()
            : key.ExportEncryptedPkcs8PrivateKeyPem(passphrase, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000)));
        return (certFile, keyFile);
    }

    public void Dispose()
    {
        _caKey.Dispose();
        Ca.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
