package ma.entraide.validators;

import eu.europa.esig.dss.enumerations.Indication;
import eu.europa.esig.dss.enumerations.SignatureLevel;
import eu.europa.esig.dss.enumerations.SubIndication;
import eu.europa.esig.dss.jaxb.object.Message;
import eu.europa.esig.dss.model.FileDocument;
import eu.europa.esig.dss.model.x509.CertificateToken;
import eu.europa.esig.dss.pades.validation.PDFDocumentValidator;
import eu.europa.esig.dss.pdf.pdfbox.PdfBoxDefaultObjectFactory;
import eu.europa.esig.dss.simplereport.SimpleReport;
import eu.europa.esig.dss.simplereport.jaxb.XmlTimestamp;
import eu.europa.esig.dss.spi.validation.CommonCertificateVerifier;
import eu.europa.esig.dss.spi.x509.CommonTrustedCertificateSource;
import java.io.FileInputStream;
import java.io.InputStream;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;

/**
 * `java ma.entraide.validators.Pades file.pdf anchors.pem`: DSS's verdict on every signature of the PDF, as
 * an EU validation service gives it (ETSI EN 319 102-1, DSS's default policy), with the PEM certificates
 * as the only trust anchors and nothing fetched: only what the PDF embeds (its DSS dictionary, the
 * signatures' CMS) counts, so a test gets the same answer offline and in ten years. Prints one JSON object
 * from DSS's simple report; exits 0 when it ran, whatever the verdict, and 2 on a usage error.
 */
public final class Pades {
  private Pades() {}

  public static void main(String[] args) throws Exception {
    // before DSS makes its first logger: its info lines would otherwise flood stderr (stdout is the JSON)
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    if (args.length != 2) {
      System.err.println("usage: java ma.entraide.validators.Pades FILE.pdf TRUST_ANCHOR.pem");
      System.exit(2);
    }

    CommonTrustedCertificateSource anchors = new CommonTrustedCertificateSource();
    try (InputStream pem = new FileInputStream(args[1])) {
      for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
        anchors.addCertificate(new CertificateToken((X509Certificate) cert));
      }
    }
    if (anchors.getNumberOfCertificates() == 0) {
      System.err.println("no certificate in " + args[1]);
      System.exit(2);
    }

    // offline: the default verifier would fetch missing issuers over AIA; no OCSP/CRL source is set either
    CommonCertificateVerifier verifier = new CommonCertificateVerifier();
    verifier.setTrustedCertSources(anchors);
    verifier.setAIASource(null);
    verifier.setOcspSource(null);
    verifier.setCrlSource(null);

    PDFDocumentValidator validator = new PDFDocumentValidator(new FileDocument(args[0]));
    validator.setPdfObjFactory(new PdfBoxDefaultObjectFactory());
    validator.setCertificateVerifier(verifier);
    validator.setLocale(Locale.ENGLISH); // the messages are compared by tests: not the machine's language
    validator.setEnableEtsiValidationReport(false); // only the simple report is read
    SimpleReport report = validator.validateDocument().getSimpleReport(); // the default policy

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("validSignatures", report.getValidSignaturesCount());
    out.put("signaturesCount", report.getSignaturesCount());
    List<Object> signatures = new ArrayList<>();
    // PAdES document timestamps are listed under the signature they cover, lone ones at the top
    Map<String, Object> timestamps = new LinkedHashMap<>();
    for (String id : report.getSignatureIdList()) {
      Map<String, Object> signature = new LinkedHashMap<>();
      signature.put("id", id);
      signature.put("indication", name(report.getIndication(id)));
      signature.put("subIndication", name(report.getSubIndication(id)));
      SignatureLevel format = report.getSignatureFormat(id);
      signature.put("signatureFormat", format == null ? null : format.toString());
      signature.put("bestSignatureTime", time(report.getBestSignatureTime(id)));
      signature.put("signedBy", report.getSignedBy(id));
      signature.put("errors", texts(report.getAdESValidationErrors(id)));
      signature.put("warnings", texts(report.getAdESValidationWarnings(id)));
      List<String> ids = new ArrayList<>();
      for (XmlTimestamp timestamp : report.getSignatureTimestamps(id)) {
        ids.add(timestamp.getId());
        timestamps.putIfAbsent(timestamp.getId(), timestamp(report, timestamp));
      }
      signature.put("timestamps", ids);
      signatures.add(signature);
    }
    out.put("signatures", signatures);
    for (String id : report.getTimestampIdList()) {
      XmlTimestamp lone = new XmlTimestamp();
      lone.setId(id);
      lone.setIndication(report.getIndication(id));
      lone.setSubIndication(report.getSubIndication(id));
      lone.setProductionTime(report.getProductionTime(id));
      lone.setProducedBy(report.getProducedBy(id));
      timestamps.putIfAbsent(id, timestamp(report, lone));
    }
    out.put("timestamps", new ArrayList<>(timestamps.values()));
    System.out.println(json(out));
    System.exit(0);
  }

  private static Map<String, Object> timestamp(SimpleReport report, XmlTimestamp timestamp) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", timestamp.getId());
    out.put("indication", name(timestamp.getIndication()));
    out.put("subIndication", name(timestamp.getSubIndication()));
    out.put("productionTime", time(timestamp.getProductionTime()));
    out.put("producedBy", timestamp.getProducedBy());
    out.put("errors", texts(report.getAdESValidationErrors(timestamp.getId())));
    out.put("warnings", texts(report.getAdESValidationWarnings(timestamp.getId())));
    return out;
  }

  private static String name(Indication indication) {
    return indication == null ? null : indication.name();
  }

  private static String name(SubIndication subIndication) {
    return subIndication == null ? null : subIndication.name();
  }

  private static String time(Date date) {
    if (date == null) {
      return null;
    }
    SimpleDateFormat iso = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");
    iso.setTimeZone(TimeZone.getTimeZone("UTC"));
    return iso.format(date);
  }

  private static List<String> texts(List<Message> messages) {
    List<String> out = new ArrayList<>();
    if (messages != null) {
      for (Message message : messages) {
        out.add(message.getValue());
      }
    }
    return out;
  }

  /** JSON by hand: maps, lists, strings, numbers and null are all this output has (no library to pin). */
  private static String json(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Number) {
      return value.toString();
    }
    if (value instanceof Map) {
      StringBuilder out = new StringBuilder("{");
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
        out.append(out.length() > 1 ? ", " : "").append(json(entry.getKey().toString()))
            .append(": ").append(json(entry.getValue()));
      }
      return out.append("}").toString();
    }
    if (value instanceof List) {
      StringBuilder out = new StringBuilder("[");
      for (Object item : (List<?>) value) {
        out.append(out.length() > 1 ? ", " : "").append(json(item));
      }
      return out.append("]").toString();
    }
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toString().toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) { // ASCII only: JDK 17 prints "?" for the rest under a C locale
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
