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
 * `java ma.entraide.validators.PdfA file.pdf [profile]`: veraPDF's verdict on one profile, every rule
 * checked; the profile is veraPDF's own name for it ("3a" for PDF/A-3A, "ua1" for PDF/UA-1; "3b" when
 * left out). Prints one line per failed rule ("FAILED 6.2.11.4.1-1 <what>"), then "COMPLIANT" or
 * "NOT COMPLIANT"; exits 0 when compliant, 1 otherwise, 2 on a profile veraPDF does not know.
 */
public final class PdfA {
  private PdfA() {}

  public static void main(String[] args) throws Exception {
    PDFAFlavour flavour = PDFAFlavour.byFlavourId(args.length > 1 ? args[1] : "3b");
    if (flavour == PDFAFlavour.NO_FLAVOUR) {
      System.err.println("Unknown profile: " + args[1]);
      System.exit(2);
    }
    VeraGreenfieldFoundryProvider.initialise();
    try (InputStream file = new FileInputStream(args[0]);
        PDFAParser parser = Foundries.defaultInstance().createParser(file, flavour);
        PDFAValidator validator = Foundries.defaultInstance().createValidator(flavour, false)) {
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
