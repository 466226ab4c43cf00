// CertSN prints the certificate SNs the way Alipay's Java SDK computes them (spec/openapi.md
// §1.7: AlipaySignature.getCertSN and AntCertificationUtil.getRootCertSN), with the JDK's own
// X.509 parser: MD5 of getIssuerX500Principal().getName() (RFC 2253) followed by the decimal
// serial, as 32 lower-case hex digits; the root file's SN joins those of its RSA-signed
// certificates with "_".
//
// Usage: java CertSN.java APP_CERT ALIPAY_CERT ROOT_CERT
// Output: three lines, the app certificate's SN, the Alipay certificate's (its first
// certificate) and the root file's.

import java.io.FileInputStream;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

public class CertSN {
    public static void main(String[] args) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (int i = 0; i < 2; i++) {
            try (InputStream in = new FileInputStream(args[i])) {
                System.out.println(sn((X509Certificate) factory.generateCertificate(in)));
            }
        }
        StringBuilder root = new StringBuilder();
        try (InputStream in = new FileInputStream(args[2])) {
            for (Certificate c : factory.generateCertificates(in)) {
                X509Certificate x = (X509Certificate) c;
                if (!x.getSigAlgOID().startsWith("1.2.840.113549.1.1")) {
                    continue;
                }
                if (root.length() > 0) {
                    root.append('_');
                }
                root.append(sn(x));
            }
        }
        System.out.println(root);
    }

    static String sn(X509Certificate cert) throws Exception {
        String text = cert.getIssuerX500Principal().getName() + cert.getSerialNumber();
        byte[] digest = MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder(new BigInteger(1, digest).toString(16));
        while (hex.length() < 32) {
            hex.insert(0, '0');
        }
        return hex.toString();
    }
}
