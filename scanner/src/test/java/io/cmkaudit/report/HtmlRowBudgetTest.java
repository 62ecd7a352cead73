package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** How report.html's finding rows are shared out over the groups. */
class HtmlRowBudgetTest {

    @Test
    void withoutLimitsEveryGroupKeepsAllItsRows() {
        assertThat(HtmlRowBudget.allot(new int[] {250, 30, 0, 7}, 0, 0)).containsExactly(250, 30, 0, 7);
    }

    @Test
    void perGroupLimitCutsOnlyTheLargeGroups() {
        assertThat(HtmlRowBudget.allot(new int[] {250, 30, 100, 101}, 100, 0)).containsExactly(100, 30, 100, 100);
        // a total that is not reached changes nothing
        assertThat(HtmlRowBudget.allot(new int[] {250, 30, 100, 101}, 100, 330)).containsExactly(100, 30, 100, 100);
    }

    @Test
    void totalLimitLevelsTheGroupsAndGivesTheRestInPageOrder() {
        // capped 100, 30, 100, 5; level 42 uses 42 + 30 + 42 + 5 = 119, the 120th row goes to the first cut group
        assertThat(HtmlRowBudget.allot(new int[] {250, 30, 100, 5}, 100, 120)).containsExactly(43, 30, 42, 5);
        // without a per-group limit
        assertThat(HtmlRowBudget.allot(new int[] {1000, 10, 400}, 0, 500)).containsExactly(245, 10, 245);
        assertThat(HtmlRowBudget.allot(new int[] {1000, 10, 400}, 0, 501)).containsExactly(246, 10, 245);
    }

    @Test
    void moreGroupsThanRowsGivesOneRowToTheFirstGroups() {
        assertThat(HtmlRowBudget.allot(new int[] {3, 3, 3}, 100, 2)).containsExactly(1, 1, 0);
        assertThat(HtmlRowBudget.allot(new int[] {0, 3, 3}, 100, 1)).containsExactly(0, 1, 0);
    }

    @Test
    void negativeValuesAreRejected() {
        assertThatThrownBy(() -> HtmlRowBudget.allot(new int[] {1}, -1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("limits must be at least 0: -1, 0");
        assertThatThrownBy(() -> HtmlRowBudget.allot(new int[] {1, -2}, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("group 1 has a negative size -2");
    }

    @Property(tries = 500)
    void usesExactlyTheBudgetAndCutsFairly(@ForAll @Size(max = 40) int[] rawSizes,
                                           @ForAll @IntRange(max = 60) int perGroup,
                                           @ForAll @IntRange(max = 400) int total) {
        int[] sizes = Arrays.stream(rawSizes).map(s -> Math.floorMod(s, 90)).toArray();
        int[] out = HtmlRowBudget.allot(sizes, perGroup, total);
        long wanted = 0;
        for (int i = 0; i < sizes.length; i++) {
            int capped = perGroup == 0 ? sizes[i] : Math.min(sizes[i], perGroup);
            wanted += capped;
            assertThat(out[i]).isBetween(0, capped);
        }
        long used = Arrays.stream(out).asLongStream().sum();
        assertThat(used).isEqualTo(total == 0 ? wanted : Math.min(wanted, total));
        // every group that was cut below its capped size lists at least as many rows as any other group, minus one
        int max = Arrays.stream(out).max().orElse(0);
        for (int i = 0; i < sizes.length; i++) {
            int capped = perGroup == 0 ? sizes[i] : Math.min(sizes[i], perGroup);
            if (out[i] < capped) {
                assertThat(out[i]).isGreaterThanOrEqualTo(max - 1);
            }
        }
    }
}
