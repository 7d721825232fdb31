module com.example.generate {
    requires org.vfmtok.llama;
    requires org.vfmtok.vfmtok;
}
