"""Admin site branding."""

from django.contrib import admin

admin.site.site_header = "Inkwell administration"
admin.site.site_title = "Inkwell admin"
admin.site.index_title = "Administration"
