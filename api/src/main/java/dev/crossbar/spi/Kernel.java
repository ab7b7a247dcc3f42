package dev.crossbar.spi;

import dev.crossbar.api.DType;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that the annotated kernel class serves an op for some element types. These annotations are the only place
 * a backend states what it supports: {@link Capabilities} and the compatibility matrix are derived from them. The
 * class must implement {@link Op#kernelType()} of every op it names.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(Kernel.List.class)
public @interface Kernel {
    /**
     * The op served.
     *
     * @return the op
     */
    Op op();

    /**
     * The element types served; each must be admitted by the op.
     *
     * @return the types
     */
    DType[] dtypes();

    /** Container of repeated {@link Kernel} annotations. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface List {
        /**
         * The annotations.
         *
         * @return the annotations
         */
        Kernel[] value();
    }
}
