package ma.entraide.validators;

import java.io.FileInputStream;
import java.io.InputStream;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;

/**
 * `java ma.entraide.validators.PdfA file.pdf`: veraPDF's verdict on PDF/A-3B, every rule checked. Prints
 * one line per failed rule ("FAILED 6.2.11.4.1-1 <what>"), then "COMPLIANT" or "NOT COMPLIANT"; exits 0
 * when compliant, 1 otherwise.
 */
public final class PdfA {
  private PdfA() {}

  public static void main(String[] args) throws Exception {
    VeraGreenfieldFoundryProvider.initialise();
    try (InputStream file = new FileInputStream(args[0]);
        PDFAParser parser = Foundries.defaultInstance().createParser(file, PDFAFlavour.PDFA_3_B);
        PDFAValidator validator = Foundries.defaultInstance().createValidator(PDFAFlavour.PDFA_3_B, false)) {
      ValidationResult result = validator.validate(parser);
      for (TestAssertion assertion : result.getTestAssertions()) {
        if (assertion.getStatus() == TestAssertion.Status.FAILED) {
          System.out.println("FAILED " + assertion.getRuleId().getClause() + "-"
              + assertion.getRuleId().getTestNumber() + " " + assertion.getMessage());
        }
      }
      System.out.println(result.isCompliant() ? "COMPLIANT" : "NOT COMPLIANT");
      System.exit(result.isCompliant() ? 0 : 1);
    }
  }
}
