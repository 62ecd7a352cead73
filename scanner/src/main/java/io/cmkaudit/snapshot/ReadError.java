package io.cmkaudit.snapshot;

import java.util.Objects;

/**
 * Why (part of) a resource could not be read.
 *
 * @param operation the failing call as {@code Service.Operation}, e.g. {@code KMS.GetKeyPolicy}, or
 *                  {@code none} when nothing was called (e.g. a key in an account outside the organization); never null
 * @param code      AWS error code, e.g. {@code AccessDeniedException}, {@code NotFoundException}, or a collector code
 *                  such as {@code OutsideOrganization}; never null
 * @param message   one line; never null
 */
public record ReadError(String operation, String code, String message) {
    public ReadError {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
