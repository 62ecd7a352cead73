package io.cmkaudit.cli;

import io.cmkaudit.report.OutputSelection;
import java.util.ArrayList;
import java.util.List;

/** The exports {@code --format} names beyond the built-in html, csv and json reports. */
final class Exports {

    private Exports() {
    }

    /**
     * @param formats the {@code --format} values
     * @return their exports, in a fixed order
     */
    static List<OutputSelection.Export> of(List<String> formats) {
        List<OutputSelection.Export> out = new ArrayList<>();
        return out;
    }
}
