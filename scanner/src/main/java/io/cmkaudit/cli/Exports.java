package io.cmkaudit.cli;

import io.cmkaudit.report.Asff;
import io.cmkaudit.report.Ocsf;
import io.cmkaudit.report.OutputSelection;
import java.util.ArrayList;
import java.util.List;

/** The exports {@code --format} names beyond the built-in html, csv and json reports. */
final class Exports {

    private Exports() {
    }

    /**
     * @param formats the {@code --format} values
     * @param target  the account and home region ASFF findings are filed under, or null when unknown
     * @return their exports, in a fixed order: xlsx, ocsf, asff
     * @throws UsageException when {@code asff} is asked for and {@code target} is null
     */
    static List<OutputSelection.Export> of(List<String> formats, Asff.Target target) {
        List<OutputSelection.Export> out = new ArrayList<>();
        if (formats.contains("xlsx")) {
            out.add(io.cmkaudit.report.XlsxReport.export());
        }
        if (formats.contains("ocsf")) {
            out.add(Ocsf.export(VersionProvider.version()));
        }
        if (formats.contains("asff")) {
            if (target == null) {
                throw new UsageException("--format asff: the scanner's account is not known (the snapshot has no "
                        + "caller identity)");
            }
            out.add(Asff.export(target));
        }
        return out;
    }
}
